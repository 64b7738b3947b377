import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { User } from '../../entities';
import type { ApiContext } from '../context';
import { BadInputError, TooManyRequestsError, UnauthenticatedError } from '../errors';
import { AuthPayloadType, UserType } from '../types/account.types';
import { SessionType } from '../types/account-lifecycle.types';

/** Sign-in and the caller's own account. `login` is the only mutation open without a token. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayloadType, {
    description:
      'Password sign-in. The same error for an unknown e-mail and a wrong password; rate-limited per e-mail and per address. With mustChangePassword, call changePassword next.',
  })
  async login(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Ctx() ctx: ApiContext,
  ): Promise<AuthPayloadType> {
    const result = await ctx.services.login.login({ email, password, address: ctx.address, requestId: ctx.requestId });
    if (!result.ok && result.reason === 'rate-limited') throw new TooManyRequestsError(result.retryAfterSeconds);
    if (!result.ok) throw new UnauthenticatedError('invalid e-mail or password');
    ctx.access.adopt(await ctx.services.authenticator.principalOf(result.user.id, 'password'));
    return {
      token: result.token.token,
      expiresAt: result.token.expiresAt,
      user: result.user,
      mustChangePassword: result.mustChangePassword,
    };
  }

  @Mutation(() => AuthPayloadType, {
    description:
      "A fresh token of the caller's password session (the current one must still be valid). Never past SESSION_MAX_AGE_SECONDS from the sign-in; tokens of the identity provider are renewed there.",
  })
  async refreshToken(@Ctx() ctx: ApiContext): Promise<AuthPayloadType> {
    const result = await ctx.services.login.refresh(ctx.access.principal);
    if (!result.ok) throw new UnauthenticatedError(result.reason);
    return {
      token: result.token.token,
      expiresAt: result.token.expiresAt,
      user: result.user,
      mustChangePassword: result.user.mustChangePassword,
    };
  }

  @Mutation(() => AuthPayloadType, {
    description:
      'Changes your own password (the current one is required). Every other token of yours stops working; the answer holds a token of a new session.',
  })
  async changePassword(
    @Arg('currentPassword') currentPassword: string,
    @Arg('newPassword') newPassword: string,
    @Ctx() ctx: ApiContext,
  ): Promise<AuthPayloadType> {
    const result = await ctx.services.login.changePassword({
      caller: ctx.access.principal,
      currentPassword,
      newPassword,
      address: ctx.address,
      requestId: ctx.requestId,
    });
    if (!result.ok && result.reason === 'rate-limited') throw new TooManyRequestsError(result.retryAfterSeconds);
    if (!result.ok) throw new BadInputError('the current password is not right');
    return {
      token: result.token.token,
      expiresAt: result.token.expiresAt,
      user: result.user,
      mustChangePassword: false,
    };
  }

  @Query(() => UserType, { description: 'The signed-in user, with its memberships.' })
  async me(@Ctx() ctx: ApiContext): Promise<User> {
    return ctx.data.me();
  }

  @Query(() => [SessionType], { description: 'Your own sessions whose tokens may still be valid, newest first.' })
  async mySessions(@Ctx() ctx: ApiContext): Promise<SessionType[]> {
    const self = ctx.access.actor as { userId: string; requestId: string };
    const sessions = await ctx.services.accountLifecycle.sessions(self.userId, { self });
    const current = ctx.access.principal.session?.id;
    return sessions.map((s) => ({ ...s, current: s.id === current }));
  }
}
