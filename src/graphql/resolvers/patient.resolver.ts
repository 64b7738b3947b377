import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Patient } from '../../entities';
import type { ApiContext } from '../context';
import { ClinicType } from '../types/account.types';
import { PatientType } from '../types/clinical.types';
import { CreatePatientInput } from '../types/inputs';

@Resolver(() => PatientType)
export class PatientResolver {
  @Query(() => PatientType)
  patient(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Patient> {
    return ctx.data.patient(id);
  }

  @Mutation(() => PatientType, { description: 'Clinic ADMIN.' })
  async createPatient(@Arg('input') input: CreatePatientInput, @Ctx() ctx: ApiContext): Promise<Patient> {
    const grant = await ctx.data.clinicToChange(input.clinicId, Permission.MANAGE);
    return ctx.services.patients.createPatient(grant, input);
  }

  @FieldResolver(() => ClinicType)
  clinic(@Root() patient: Patient, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.data.clinicOf(patient);
  }
}
