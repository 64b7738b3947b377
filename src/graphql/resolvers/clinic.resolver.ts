import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Clinic, Role } from '../../entities';
import type { ApiContext } from '../context';
import { ClinicType } from '../types/account.types';
import { RoleEnum } from '../types/enums';
import { CreateClinicInput } from '../types/inputs';

@Resolver(() => ClinicType)
export class ClinicResolver {
  @Query(() => [ClinicType], { description: 'Clinics where the caller has a role (every clinic for a network admin).' })
  clinics(@Ctx() ctx: ApiContext): Promise<Clinic[]> {
    return ctx.data.clinics();
  }

  @Query(() => ClinicType)
  clinic(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.data.clinic(id);
  }

  @Mutation(() => ClinicType, { description: 'Network administrators only.' })
  createClinic(@Arg('input') input: CreateClinicInput, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.services.accounts.createClinic(input, ctx.access.requireNetworkAdmin());
  }

  @FieldResolver(() => RoleEnum, { description: "The caller's role here (ADMIN for a network admin)." })
  myRole(@Root() clinic: Clinic, @Ctx() ctx: ApiContext): Role | undefined {
    return ctx.access.roleIn(clinic.id);
  }
}
