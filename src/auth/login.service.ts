import { hashPassword, verifyPassword } from './password';
import { AuditAction, type User } from '../entities';
import type { Repositories } from '../entities/repositories';
import type { IssuedToken, LocalTokenSigner } from './local-tokens';
import type { LoginRateLimiter } from './login-rate-limiter';

export type LoginResult =
  | { ok: true; user: User; token: IssuedToken }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/**
 * Password sign-in. An unknown e-mail, a wrong password, a disabled user and a user without a
 * password all give the same answer after the same work (an argon2 verify against a dummy hash),
 * so the answer tells nothing about which e-mails exist.
 */
export class LoginService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Pick<Repositories, 'accounts' | 'audit'>,
    private readonly signer: LocalTokenSigner,
    private readonly limiter: LoginRateLimiter,
  ) {}

  async login(input: { email: string; password: string; address: string; requestId: string }): Promise<LoginResult> {
    const email = input.email.trim().toLowerCase();
    const retryAfterSeconds = this.limiter.retryAfterSeconds(email, input.address);
    if (retryAfterSeconds > 0) {
      await this.audit(null, AuditAction.LOGIN_FAILED, input.requestId, {
        email,
        address: input.address,
        reason: 'rate-limited',
      });
      return { ok: false, reason: 'rate-limited', retryAfterSeconds };
    }
    const user = await this.store.accounts.withPasswordHash(email);
    const hash = user?.passwordHash ?? (await this.dummy());
    const passwordMatches = await verifyPassword(hash, input.password);
    if (!user || !user.passwordHash || user.disabled || !passwordMatches) {
      this.limiter.recordFailure(email, input.address);
      await this.audit(user?.id ?? null, AuditAction.LOGIN_FAILED, input.requestId, { email, address: input.address });
      return { ok: false, reason: 'invalid' };
    }
    this.limiter.recordSuccess(email);
    delete (user as Partial<User>).passwordHash;
    await this.audit(user.id, AuditAction.LOGIN_SUCCEEDED, input.requestId, { address: input.address });
    return { ok: true, user, token: await this.signer.issue(user.id) };
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
