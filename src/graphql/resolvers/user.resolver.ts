import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import type { Clinic, Membership, Role, User } from '../../entities';
import { isUuid } from '../../platform/ids';
import type { CreatedUser } from '../../accounts/accounts.service';
import type { ApiContext } from '../context';
import { BadInputError, NotFoundError } from '../errors';
import { ClinicType, MembershipType, UserType } from '../types/account.types';
import { RoleEnum } from '../types/enums';
import { CreateUserInput } from '../types/inputs';

/** Users and their clinic memberships; administrators manage those of their clinics. */
@Resolver(() => UserType)
export class UserResolver {
  @Mutation(() => UserType, {
    description:
      'Clinic ADMIN: a user with a role in that clinic. An e-mail that belongs to a user outside the clinic gets an invitation that user must accept, with an answer of the same shape (nothing of that user is shown). Network admins: also users without a clinic and network admins.',
  })
  async createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: ApiContext): Promise<CreatedUser> {
    // a network admin sees every user: it gets the plain "already exists" (clinic admins an invitation)
    const network =
      input.networkAdmin || !input.clinicId || ctx.access.principal.networkAdmin
        ? ctx.access.requireNetworkAdmin()
        : undefined;
    let clinic: { grant: ClinicGrant; role: Role } | undefined;
    if (input.clinicId) {
      const grant = await ctx.data.clinicToChange(input.clinicId, Permission.MANAGE);
      if (!input.role) throw new BadInputError('role is required with clinicId');
      clinic = { grant, role: input.role };
    }
    return ctx.services.accounts.createUser(
      {
        email: input.email,
        password: input.password ?? null,
        displayName: input.displayName ?? null,
        networkAdmin: input.networkAdmin,
      },
      { network, clinic },
    );
  }

  @Query(() => [UserType], { description: 'Clinic ADMIN: the users with a role in the clinic, by e-mail.' })
  clinicMembers(@Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<User[]> {
    return ctx.data.clinicMembers(clinicId);
  }

  @Mutation(() => MembershipType, {
    description:
      "Clinic ADMIN: gives a user a role in the clinic (or changes it; the user's tokens are revoked). Only users already in one of your clinics: anyone else is NOT_FOUND (network admins: anyone; others join through createUser's invitation).",
  })
  async grantMembership(
    @Arg('userId', () => ID) userId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('role', () => RoleEnum) role: Role,
    @Ctx() ctx: ApiContext,
  ): Promise<Membership> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.memberships.grant(grant, userId, role, ctx.access.membershipReach());
  }

  @Mutation(() => Boolean, {
    description: 'Clinic ADMIN: removes a user from the clinic. The last administrator stays.',
  })
  async revokeMembership(
    @Arg('userId', () => ID) userId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    if (!isUuid(userId)) throw new NotFoundError('membership');
    return ctx.services.memberships.revoke(grant, userId);
  }

  @FieldResolver(() => [MembershipType], { description: 'Only memberships in clinics the caller can see.' })
  async memberships(@Root() user: CreatedUser, @Ctx() ctx: ApiContext): Promise<Membership[]> {
    // the answer to an invitation (createUser) shows the role asked for, like a creation would
    if (user.pendingMembership) return [{ ...user.pendingMembership, userId: user.id }];
    return ctx.data.membershipsOf(user);
  }
}

@Resolver(() => MembershipType)
export class MembershipResolver {
  @FieldResolver(() => ClinicType)
  clinic(@Root() membership: Membership, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.data.clinicOf(membership);
  }
}
