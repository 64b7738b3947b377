import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Clinic, Membership, MembershipInvitation, User } from '../../entities';
import { isUuid } from '../../platform/ids';
import type { ApiContext } from '../context';
import { NotFoundError } from '../errors';
import { ClinicType, MembershipType, UserType } from '../types/account.types';
import { ClinicInvitationType, PasswordResetType, SessionType } from '../types/account-lifecycle.types';

/**
 * Administration of existing accounts. A clinic ADMIN manages the users whose every membership is
 * in a clinic it administers; a network admin everyone. Users outside the caller's clinics are
 * NOT_FOUND; users it shares with other clinics (or network admins) are FORBIDDEN.
 */
@Resolver()
export class AccountLifecycleResolver {
  @Mutation(() => PasswordResetType, {
    description:
      'ADMIN: gives the user a temporary password (answered once) that it must replace at its next sign-in; its sessions end.',
  })
  async resetUserPassword(@Arg('userId', () => ID) userId: string, @Ctx() ctx: ApiContext): Promise<PasswordResetType> {
    const authority = ctx.access.userAuthority();
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.accountLifecycle.resetPassword(userId, authority);
  }

  @Mutation(() => UserType, { description: 'ADMIN: disables the user (its tokens stop working at once).' })
  async disableUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: ApiContext): Promise<User> {
    const authority = ctx.access.userAuthority();
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.accountLifecycle.setDisabled(userId, true, authority);
  }

  @Mutation(() => UserType, { description: 'ADMIN: enables a disabled user again.' })
  async enableUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: ApiContext): Promise<User> {
    const authority = ctx.access.userAuthority();
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.accountLifecycle.setDisabled(userId, false, authority);
  }

  @Mutation(() => UserType, {
    description: 'Ends every session of a user (yours when userId is left out): all its tokens stop working.',
  })
  async revokeSessions(
    @Arg('userId', () => ID, { nullable: true }) userId: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<User> {
    const self = ctx.access.principal.userId;
    if (!userId || userId === self)
      return ctx.services.accountLifecycle.revokeSessions(self, { self: ctx.access.actor });
    const authority = ctx.access.userAuthority();
    if (!isUuid(userId)) throw new NotFoundError('user');
    return ctx.services.accountLifecycle.revokeSessions(userId, authority);
  }

  @Query(() => [SessionType], { description: "ADMIN: a user's sessions whose tokens may still be valid." })
  async userSessions(@Arg('userId', () => ID) userId: string, @Ctx() ctx: ApiContext): Promise<SessionType[]> {
    const authority = ctx.access.userAuthority();
    if (!isUuid(userId)) throw new NotFoundError('user');
    const sessions = await ctx.services.accountLifecycle.sessions(userId, authority);
    const current = ctx.access.principal.session?.id;
    return sessions.map((s) => ({ ...s, current: s.id === current }));
  }

  @Query(() => [ClinicInvitationType], { description: 'Invitations into other clinics waiting for your consent.' })
  myInvitations(@Ctx() ctx: ApiContext): Promise<MembershipInvitation[]> {
    return ctx.services.memberships.invitationsOf(ctx.access.principal.userId);
  }

  @Mutation(() => MembershipType, { description: 'Accepts one of your invitations: you get that role in that clinic.' })
  async acceptInvitation(
    @Arg('invitationId', () => ID) invitationId: string,
    @Ctx() ctx: ApiContext,
  ): Promise<Membership> {
    const self = ctx.access.actor as { userId: string; requestId: string };
    if (!isUuid(invitationId)) throw new NotFoundError('invitation');
    return ctx.services.memberships.acceptInvitation(invitationId, self);
  }
}

@Resolver(() => ClinicInvitationType)
export class ClinicInvitationResolver {
  /** The invited user sees the inviting clinic's name (it has no role there yet). */
  @FieldResolver(() => ClinicType)
  async clinic(@Root() invitation: MembershipInvitation, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.data.invitingClinic(invitation);
  }
}
