/**
 * Counts failed sign-ins per e-mail and per client address in a sliding window and refuses further
 * attempts once either limit is reached, before any password is checked (so the answer does not
 * depend on whether the e-mail exists). Kept in the process: with several API processes each has
 * its own counters, which multiplies the limit by the process count (see README).
 */
export interface LoginRateLimits {
  windowSeconds: number;
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
}

const MAX_TRACKED_KEYS = 50_000;

export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  windowSeconds: 15 * 60,
  maxFailuresPerEmail: 5,
  maxFailuresPerAddress: 20,
};

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly limits: LoginRateLimits = DEFAULT_LOGIN_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
  retryAfterSeconds(email: string, address: string): number {
    const waits = [
      this.wait(`email:${email}`, this.limits.maxFailuresPerEmail),
      this.wait(`address:${address}`, this.limits.maxFailuresPerAddress),
    ];
    return Math.max(...waits);
  }

  recordFailure(email: string, address: string): void {
    if (this.failures.size > MAX_TRACKED_KEYS) this.prune();
    for (const key of [`email:${email}`, `address:${address}`]) {
      const list = this.recent(key);
      list.push(this.now());
      this.failures.set(key, list);
    }
  }

  /** A successful sign-in clears the e-mail's count (not the address's: one address, many users). */
  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }

  /** Drops keys whose failures are all outside the window, so memory stays bounded under a spray. */
  private prune(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
  }

  private wait(key: string, max: number): number {
    const list = this.recent(key);
    if (list.length < max) return 0;
    const oldestCounted = list[list.length - max];
    return Math.max(1, Math.ceil((oldestCounted + this.limits.windowSeconds * 1000 - this.now()) / 1000));
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowSeconds * 1000;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
