import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Patient } from '../../entities';
import { AuditAction } from '../../platform/audit/audit-actions';
import type { ApiContext } from '../context';
import { NotFoundError } from '../errors';
import { ClinicType } from '../types/account.types';
import { PatientType } from '../types/clinical.types';
import { CreatePatientInput } from '../types/inputs';

@Resolver(() => PatientType)
export class PatientResolver {
  @Query(() => PatientType)
  async patient(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Patient> {
    const patient = await ctx.data.patient(id);
    await ctx.auditRead.record({ action: AuditAction.READ_PATIENT, entity: 'patient', entityId: patient.id, clinicId: patient.clinicId });
    return patient;
  }

  @Mutation(() => PatientType, { description: 'Clinic ADMIN.' })
  async createPatient(@Arg('input') input: CreatePatientInput, @Ctx() ctx: ApiContext): Promise<Patient> {
    const grant = await ctx.access.requireClinic(input.clinicId, Permission.MANAGE);
    return ctx.services.patients.createPatient(grant, input);
  }

  @FieldResolver(() => ClinicType)
  async clinic(@Root() patient: Patient, @Ctx() ctx: ApiContext): Promise<Clinic> {
    const clinic = await ctx.loaders.clinic.load(patient.clinicId);
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }
}
