import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Membership, Role, User } from '../../entities';
import type { ApiContext } from '../context';
import { BadInputError, NotFoundError } from '../errors';
import { isUuid } from '../../platform/ids';
import { ClinicType, MembershipType, UserType } from '../types/account.types';
import { RoleEnum } from '../types/enums';
import { CreateUserInput } from '../types/inputs';

/** Users and their clinic memberships; administrators manage those of their clinics. */
@Resolver(() => UserType)
export class UserResolver {
  @Mutation(() => UserType, { description: 'Clinic ADMIN: a user with a role in that clinic. Network admins: also users without a clinic and network admins.' })
  async createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: ApiContext): Promise<User> {
    if (input.networkAdmin || !input.clinicId) ctx.access.requireNetworkAdmin();
    let membership: { clinicId: string; role: Role } | undefined;
    if (input.clinicId) {
      const grant = await ctx.access.requireClinic(input.clinicId, Permission.MANAGE);
      if (!input.role) throw new BadInputError('role is required with clinicId');
      membership = { clinicId: grant.clinicId, role: input.role };
    }
    return ctx.services.accounts.createUser(
      { email: input.email, password: input.password ?? null, displayName: input.displayName ?? null, networkAdmin: input.networkAdmin, membership },
      ctx.access.actor,
    );
  }

  @Query(() => [UserType], { description: 'Clinic ADMIN: the users with a role in the clinic, by e-mail.' })
  async clinicMembers(@Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<User[]> {
    const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
    return ctx.data.membersOf(grant);
  }

  @Mutation(() => MembershipType, { description: 'Clinic ADMIN: gives a user a role in the clinic (or changes it).' })
  async grantMembership(
    @Arg('userId', () => ID) userId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: ApiContext,
  ): Promise<Membership> {
    const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.memberships.grant(grant, userId, role);
  }

  @Mutation(() => Boolean, { description: 'Clinic ADMIN: removes a user from the clinic. The last administrator stays.' })
  async revokeMembership(@Arg('userId', () => ID) userId: string, @Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
    if (!isUuid(userId)) throw new NotFoundError('membership');
    return ctx.services.memberships.revoke(grant, userId);
  }

  @FieldResolver(() => [MembershipType], { description: 'Only memberships in clinics the caller can see.' })
  memberships(@Root() user: User, @Ctx() ctx: ApiContext): Promise<Membership[]> {
    return ctx.loaders.membershipsByUser.load(user.id);
  }
}

@Resolver(() => MembershipType)
export class MembershipResolver {
  @FieldResolver(() => ClinicType)
  async clinic(@Root() membership: Membership, @Ctx() ctx: ApiContext): Promise<Clinic> {
    const clinic = await ctx.loaders.clinic.load(membership.clinicId);
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }
}
