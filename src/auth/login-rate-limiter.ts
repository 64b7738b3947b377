import { createHash } from 'node:crypto';
import type { DataStore } from '../entities/repositories';

/**
 * Counts sign-in attempts per e-mail and per client address in a sliding window, in PostgreSQL (so
 * several API processes share one limit). An attempt is reserved, under a per-key lock, BEFORE the
 * password is checked: parallel attempts queue on the lock and each sees the ones before it, so a
 * burst cannot all pass. A reservation that turns out to be a success is taken back; a failure
 * stays counted until it leaves the window. The answer does not depend on whether the e-mail exists.
 */
export interface LoginRateLimits {
  windowSeconds: number;
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
}

export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  windowSeconds: 15 * 60,
  maxFailuresPerEmail: 5,
  maxFailuresPerAddress: 20,
};

export type Reservation =
  | {
      ok: true;
      /** The attempt succeeded: it no longer counts, and the e-mail's earlier failures are forgotten. */
      succeeded(): Promise<void>;
    }
  | {
      ok: false;
      retryAfterSeconds: number;
      /** The first refusal of this throttled window (the only one that is audited). */
      firstInWindow: boolean;
    };

/** E-mails are kept as hashes: the limiter's table never holds what was typed. */
export function emailKey(email: string): string {
  return 'email:' + createHash('sha256').update(email).digest('hex').slice(0, 40);
}

export function addressKey(address: string): string {
  return 'address:' + address.slice(0, 100);
}

export class LoginRateLimiter {
  constructor(
    private readonly store: Pick<DataStore, 'transaction'>,
    readonly limits: LoginRateLimits = DEFAULT_LOGIN_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves one attempt for this e-mail (already normalised) from this address, or refuses it. */
  async reserve(email: string, address: string): Promise<Reservation> {
    const keys = [
      { key: emailKey(email), max: this.limits.maxFailuresPerEmail },
      { key: addressKey(address), max: this.limits.maxFailuresPerAddress },
    ];
    const now = this.now();
    const since = new Date(now - this.limits.windowSeconds * 1000);
    return this.store.transaction(async (tx) => {
      await tx.loginThrottle.lock(keys.map((k) => k.key));
      await tx.loginThrottle.prune(since, new Date(now));
      let retryAfterSeconds = 0;
      let firstInWindow = false;
      for (const { key, max } of keys) {
        const attempts = await tx.loginThrottle.attemptsSince(key, since);
        if (attempts.length < max) continue;
        const oldestCounted = attempts[attempts.length - max].getTime();
        const wait = Math.max(1, Math.ceil((oldestCounted + this.limits.windowSeconds * 1000 - now) / 1000));
        retryAfterSeconds = Math.max(retryAfterSeconds, wait);
        if (await tx.loginThrottle.noteThrottled(key, new Date(now + wait * 1000), new Date(now))) firstInWindow = true;
      }
      if (retryAfterSeconds > 0) return { ok: false, retryAfterSeconds, firstInWindow };
      const ids = await tx.loginThrottle.record(
        keys.map((k) => k.key),
        new Date(now),
      );
      return {
        ok: true,
        succeeded: () =>
          this.store.transaction(async (done) => {
            await done.loginThrottle.forgetAttempts(ids);
            // not the address's: one address (a hospital's NAT) serves many users
            await done.loginThrottle.forgetKey(keys[0].key);
          }),
      };
    });
  }
}
