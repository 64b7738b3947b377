import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { User } from '../../entities';
import type { ApiContext } from '../context';
import { TooManyRequestsError, UnauthenticatedError } from '../errors';
import { AuthPayloadType, UserType } from '../types/account.types';

/** Sign-in and the caller's own account. `login` is the only mutation open without a token. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayloadType, {
    description:
      'Password sign-in. The same error for an unknown e-mail and a wrong password; rate-limited per e-mail and per address.',
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
    return { token: result.token.token, expiresAt: result.token.expiresAt, user: result.user };
  }

  @Mutation(() => AuthPayloadType, {
    description: 'A fresh token for the caller (the current one must still be valid).',
  })
  async refreshToken(@Ctx() ctx: ApiContext): Promise<AuthPayloadType> {
    const user = await this.me(ctx);
    const issued = await ctx.services.tokens.issue(user.id);
    return { token: issued.token, expiresAt: issued.expiresAt, user };
  }

  @Query(() => UserType, { description: 'The signed-in user, with its memberships.' })
  async me(@Ctx() ctx: ApiContext): Promise<User> {
    return ctx.data.me();
  }
}
