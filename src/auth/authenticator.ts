import * as jose from 'jose';
import type { Membership } from '../entities';
import type { AccountRepository } from '../entities/repositories';
import { LOCAL_TOKEN_ISSUER, type LocalTokenSigner, type VerifiedToken } from './local-tokens';
import type { OidcVerifier } from './oidc-verifier';
import type { Principal } from './principal';

/** Why a bearer token was refused; the API answers UNAUTHENTICATED with a generic message. */
export class AuthenticationFailed extends Error {
  override name = 'AuthenticationFailed';
}

/**
 * Turns an `Authorization: Bearer …` header into a Principal: our own HS256 token, or (when
 * OIDC_ISSUER is set) a token of the hospital's identity provider, mapped to a user by e-mail.
 * The user and its memberships are read on every request, so disabling a user or revoking a
 * membership takes effect at once.
 */
export class Authenticator {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly local: LocalTokenSigner,
    private readonly oidc: OidcVerifier | undefined,
  ) {}

  /** Undefined without a header; throws AuthenticationFailed for any bad token. */
  async authenticate(authorizationHeader: string | undefined): Promise<Principal | undefined> {
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorizationHeader.trim());
    if (!match) throw new AuthenticationFailed('Authorization header must be "Bearer <token>"');
    const token = match[1];
    let issuer: string | undefined;
    try {
      issuer = jose.decodeJwt(token).iss;
    } catch {
      throw new AuthenticationFailed('malformed token');
    }
    if (issuer === LOCAL_TOKEN_ISSUER) {
      const claims = await this.local.verify(token).catch((e: unknown) => this.fail(e));
      return this.principal({ id: claims.userId }, 'password', claims);
    }
    if (this.oidc && issuer === this.oidc.config.issuer) {
      const email = await this.oidc.verifyEmail(token).catch((e: unknown) => this.fail(e));
      return this.principal({ email }, 'oidc');
    }
    throw new AuthenticationFailed('token from an unknown issuer');
  }

  private fail(error: unknown): never {
    throw new AuthenticationFailed(error instanceof Error ? error.message : String(error));
  }

  /** The principal of a user who just proved who it is another way (password sign-in). */
  principalOf(userId: string, via: Principal['via'], token?: VerifiedToken): Promise<Principal> {
    return this.principal({ id: userId }, via, token);
  }

  private async principal(
    where: { id: string } | { email: string },
    via: Principal['via'],
    token?: VerifiedToken,
  ): Promise<Principal> {
    const user = await this.accounts.withMemberships(where);
    if (!user || user.disabled) throw new AuthenticationFailed('unknown or disabled user');
    // a password change, a disable or a role change since the token was issued revokes it
    if (token && token.tokenVersion !== user.tokenVersion) throw new AuthenticationFailed('token revoked');
    const roles = new Map((user.memberships ?? []).map((m: Membership) => [m.clinicId, m.role]));
    return {
      userId: user.id,
      email: user.email,
      networkAdmin: user.networkAdmin,
      roles,
      via,
      // an IdP vouches for its users itself; a temporary local password must be replaced first
      mustChangePassword: via === 'password' && user.mustChangePassword,
      session: token && { id: token.sessionId, signedInAt: token.signedInAt, tokenVersion: token.tokenVersion },
    };
  }
}
