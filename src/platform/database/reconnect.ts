import type { Logger } from '../logger';

/** SQLSTATE classes and codes that mean "the server went away", not "the statement was wrong". */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const LOST_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
// TypeORM releases a query runner whose connection emitted an error: later queries of that unit of
// work fail with "…query runner was already released…", a lost connection too.
const LOST_MESSAGES =
  /query runner was already released|query runner already released|connection terminated|terminating connection|the database system is (shutting down|starting up|in recovery mode)|not queryable|connection (is )?(closed|ended)|timeout exceeded when trying to connect/i;

/**
 * True when `error` says the database could not be reached or dropped the connection (a restart,
 * a failover, a network cut), as opposed to an error of the statement itself: such work can be
 * tried again once the database is back. Looks through TypeORM's wrapper to the driver's error.
 */
export function isConnectionLost(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined,
      depth = 0;
    e && depth < 4;
    depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (LOST_ERRNOS.has(code) || LOST_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && LOST_MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

export interface WaitForDatabaseOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  log?: Logger;
  /** What is waiting, for the log lines. */
  what?: string;
  signal?: AbortSignal;
  /** Told when the wait starts and when the database is back (a CLI prints it). */
  onWait?: (event: { state: 'waiting'; timeoutMs: number } | { state: 'back'; waitedMs: number }) => void;
}

/**
 * Polls `probe` (any query) with a growing pause (0.25 s doubling to 5 s) until it succeeds: true,
 * or `timeoutMs` passes or `signal` fires: false. Errors other than a lost connection end the wait
 * at once (false) — nothing would come of waiting for them.
 */
export async function waitForDatabase(
  probe: () => Promise<unknown>,
  options: WaitForDatabaseOptions,
): Promise<boolean> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let pause = 250;
  options.log?.warn(
    { what: options.what, waitSeconds: options.timeoutMs / 1000 },
    'database unreachable: waiting for it',
  );
  options.onWait?.({ state: 'waiting', timeoutMs: options.timeoutMs });
  for (;;) {
    if (options.signal?.aborted) return false;
    try {
      await probe();
      options.log?.warn({ what: options.what, waitedMs: Date.now() - started }, 'database reachable again');
      options.onWait?.({ state: 'back', waitedMs: Date.now() - started });
      return true;
    } catch (error) {
      if (!isConnectionLost(error)) return false;
    }
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pause, left)));
    pause = Math.min(pause * 2, 5000);
  }
}

/** The database stayed unreachable for longer than the caller was willing to wait. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(
    readonly waitedMs: number,
    readonly lastError: unknown,
  ) {
    super(
      `the database was unreachable for more than ${Math.round(waitedMs / 1000)} s (${(lastError as Error)?.message ?? String(lastError)})`,
    );
  }
}

/**
 * Runs `work`; when it fails because the database went away, waits for the database (bounded by
 * `timeoutMs`) and runs it again — at most `attempts` times in all. `work` must be safe to repeat:
 * a unit of work whose transaction rolled back. Throws DatabaseUnavailableError when the wait
 * runs out; any other error as it came.
 */
export async function retryAfterReconnect<T>(
  work: () => Promise<T>,
  probe: () => Promise<unknown>,
  options: WaitForDatabaseOptions & { attempts?: number },
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      if (attempt >= attempts || !(await waitForDatabase(probe, options)))
        throw new DatabaseUnavailableError(options.timeoutMs, error);
    }
  }
}
