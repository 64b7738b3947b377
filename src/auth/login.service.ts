import { randomUUID } from 'node:crypto';
import { AuditAction, type User } from '../entities';
import type { DataStore } from '../entities/repositories';
import { isEmailAddress } from './email-address';
import type { IssuedToken, LocalTokenSigner } from './local-tokens';
import type { LoginRateLimiter } from './login-rate-limiter';
import { checkNewPassword, hashPassword, verifyPassword } from './password';
import type { Principal } from './principal';
import { UserError } from '../platform/errors';

export type LoginResult =
  | { ok: true; user: User; token: IssuedToken; mustChangePassword: boolean }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

export type RefreshResult = { ok: true; user: User; token: IssuedToken } | { ok: false; reason: string };

/**
 * Password sign-in, renewal of a session's token and the change of one's own password. An unknown
 * e-mail, a wrong password, a disabled user and a user without a password all give the same answer
 * after the same work (an argon2 verify against a dummy hash), so the answer tells nothing about
 * which e-mails exist. Every attempt is reserved with the rate limiter before any password check.
 */
export class LoginService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: DataStore,
    private readonly signer: LocalTokenSigner,
    private readonly limiter: LoginRateLimiter,
  ) {}

  async login(input: { email: string; password: string; address: string; requestId: string }): Promise<LoginResult> {
    const email = input.email.trim().toLowerCase();
    // what was typed is stored only when it is an e-mail address (not a password typed in the wrong field)
    const typed = isEmailAddress(email) ? { email } : { email: null, emailMalformed: true };
    const reservation = await this.limiter.reserve(email, input.address);
    if (!reservation.ok) {
      // one audit row per throttled window, not one per refused attempt: the log cannot be flooded
      if (reservation.firstInWindow)
        await this.audit(null, AuditAction.LOGIN_FAILED, input.requestId, {
          ...typed,
          address: input.address,
          reason: 'rate-limited',
          retryAfterSeconds: reservation.retryAfterSeconds,
        });
      return { ok: false, reason: 'rate-limited', retryAfterSeconds: reservation.retryAfterSeconds };
    }
    const user = email.length <= 254 ? await this.store.accounts.withPasswordHash(email) : null;
    const hash = user?.passwordHash ?? (await this.dummy());
    const passwordMatches = await verifyPassword(hash, input.password);
    if (!user || !user.passwordHash || user.disabled || !passwordMatches) {
      await this.audit(user?.id ?? null, AuditAction.LOGIN_FAILED, input.requestId, {
        ...typed,
        address: input.address,
      });
      return { ok: false, reason: 'invalid' };
    }
    await reservation.succeeded();
    delete (user as Partial<User>).passwordHash;
    const { token, sessionId } = await this.startSession(user, input.address);
    await this.audit(user.id, AuditAction.LOGIN_SUCCEEDED, input.requestId, { address: input.address, sessionId });
    return { ok: true, user, token, mustChangePassword: user.mustChangePassword };
  }

  /**
   * A fresh token of the caller's session: never past the session's maximum age from the original
   * sign-in, and only for sessions of a password sign-in (an IdP token stays the IdP's to renew).
   */
  async refresh(caller: Principal): Promise<RefreshResult> {
    if (caller.via !== 'password' || !caller.session)
      return { ok: false, reason: 'only a password session can be renewed; ask the identity provider for a new token' };
    const { id: sessionId, signedInAt, tokenVersion } = caller.session;
    if (this.signer.sessionSecondsLeft(signedInAt) < 60)
      return { ok: false, reason: 'the session has reached its maximum age: sign in again' };
    const user = await this.store.accounts.user(caller.userId);
    if (!user) return { ok: false, reason: 'unknown user' };
    // the version the presented token was checked with: a revocation in between still wins
    const token = await this.signer.issue(user.id, { tokenVersion, sessionId, signedInAt });
    if (sessionId) await this.store.accounts.sessionRefreshed(sessionId, new Date(), token.expiresAt);
    return { ok: true, user, token };
  }

  /**
   * Changes the caller's own password (the current one is required, and rate-limited like a
   * sign-in). Every other token of the user stops working; the caller gets a token of a new session.
   */
  async changePassword(input: {
    caller: Principal;
    currentPassword: string;
    newPassword: string;
    address: string;
    requestId: string;
  }): Promise<LoginResult> {
    checkNewPassword(input.newPassword);
    const reservation = await this.limiter.reserve(input.caller.email, input.address);
    if (!reservation.ok) return { ok: false, reason: 'rate-limited', retryAfterSeconds: reservation.retryAfterSeconds };
    const user = await this.store.accounts.withPasswordHash({ id: input.caller.userId });
    const matches = await verifyPassword(user?.passwordHash ?? (await this.dummy()), input.currentPassword);
    if (!user || !user.passwordHash || !matches) {
      await this.audit(input.caller.userId, AuditAction.PASSWORD_CHANGE_FAILED, input.requestId, {
        address: input.address,
      });
      return { ok: false, reason: 'invalid' };
    }
    if (input.newPassword === input.currentPassword)
      throw new UserError('the new password must differ from the current one');
    await reservation.succeeded();
    const passwordHash = await hashPassword(input.newPassword);
    const changed = await this.store.transaction(async (tx) => {
      const locked = await tx.accounts.lockUser(user.id);
      if (!locked || locked.disabled) return null;
      await tx.accounts.setPassword(user.id, passwordHash, false);
      const revoked = await tx.accounts.revokeSessions(user.id);
      await tx.audit.append(
        { userId: user.id, requestId: input.requestId },
        {
          action: AuditAction.PASSWORD_CHANGED,
          entity: 'user',
          entityId: user.id,
          detail: { address: input.address, sessionsRevoked: revoked, wasTemporary: locked.mustChangePassword },
        },
      );
      return tx.accounts.user(user.id);
    });
    if (!changed) return { ok: false, reason: 'invalid' };
    const { token } = await this.startSession(changed, input.address);
    return { ok: true, user: changed, token, mustChangePassword: false };
  }

  private async startSession(user: User, address: string): Promise<{ token: IssuedToken; sessionId: string }> {
    const sessionId = randomUUID();
    const signedInAt = new Date();
    const token = await this.signer.issue(user.id, { tokenVersion: user.tokenVersion, sessionId, signedInAt });
    await this.store.accounts.createSession({
      id: sessionId,
      userId: user.id,
      via: 'password',
      signedInAt,
      refreshedAt: signedInAt,
      expiresAt: token.expiresAt,
      address: address.slice(0, 100),
    });
    return { token, sessionId };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword('not-a-real-password-' + Math.random());
    return this.dummyHash;
  }

  private audit(
    userId: string | null,
    action: AuditAction,
    requestId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.store.audit.append({ userId, requestId }, { action, entity: 'user', entityId: userId, detail });
  }
}
