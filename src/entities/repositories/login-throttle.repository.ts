import type { EntityManager } from 'typeorm';

/**
 * The login rate limit's state, in PostgreSQL so every API process counts the same attempts. A row
 * of login_attempt is one attempt that still counts (a failure, or one being verified right now);
 * login_throttle remembers until when a throttled key has been audited already.
 */
export class LoginThrottleRepository {
  constructor(private readonly m: EntityManager) {}

  /** Serialises attempts on these keys until the transaction ends (sorted: no deadlock). */
  async lock(keys: readonly string[]): Promise<void> {
    for (const key of [...keys].sort())
      await this.m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7246017))', [key]);
  }

  /** Times of the attempts on `key` after `since`, oldest first. */
  async attemptsSince(key: string, since: Date): Promise<Date[]> {
    const rows: { at: Date }[] = await this.m.query(
      'SELECT at FROM login_attempt WHERE key = $1 AND at > $2 ORDER BY at',
      [key, since],
    );
    return rows.map((r) => new Date(r.at));
  }

  /** Records one attempt per key; returns the rows' ids. */
  async record(keys: readonly string[], at: Date): Promise<string[]> {
    const rows: { id: string }[] = await this.m.query(
      'INSERT INTO login_attempt (key, at) SELECT unnest(CAST($1 AS text[])), $2 RETURNING id',
      [keys, at],
    );
    return rows.map((r) => String(r.id));
  }

  async forgetAttempts(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.m.query('DELETE FROM login_attempt WHERE id = ANY(CAST($1 AS bigint[]))', [ids]);
  }

  async forgetKey(key: string): Promise<void> {
    await this.m.query('DELETE FROM login_attempt WHERE key = $1', [key]);
  }

  /** Drops what no window can count any more, so a spray of distinct e-mails does not grow the tables. */
  async prune(attemptsBefore: Date, now: Date): Promise<void> {
    await this.m.query('DELETE FROM login_attempt WHERE at <= $1', [attemptsBefore]);
    await this.m.query('DELETE FROM login_throttle WHERE audited_until <= $1', [now]);
  }

  /**
   * Notes that `key` is throttled until `until`. True when its previous throttled window had
   * ended (or there was none): the caller audits once per window, not once per refused attempt.
   */
  async noteThrottled(key: string, until: Date, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.m.query(
      `INSERT INTO login_throttle (key, audited_until) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET audited_until = EXCLUDED.audited_until
         WHERE login_throttle.audited_until <= $3
       RETURNING key`,
      [key, until, now],
    );
    return rows.length > 0;
  }
}
