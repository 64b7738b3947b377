import type { Logger } from './logger';
import { isConnectionLost } from './database/reconnect';

let installed: Logger | undefined;

/**
 * Keeps a process alive through failures of background work it does not await. Libraries run some
 * work detached — pg-boss completes and fails jobs without awaiting it, a pool emits a lost idle
 * connection — and a database restart makes exactly that work fail; without these handlers Node
 * ends the process on the first such rejection. A rejected promise nobody awaited is logged and
 * the process goes on (what it was doing is retried by its owner: the queue, the next beat). An
 * uncaught exception that is a lost database connection is logged too; any other one is a bug
 * whose state cannot be trusted: it is logged as fatal and the process exits with status 1 for its
 * supervisor to restart it.
 */
export function installProcessGuards(log: Logger): void {
  if (installed) return;
  installed = log;
  process.on('unhandledRejection', (reason) => {
    installed!.error(
      { err: describe(reason), connectionLost: isConnectionLost(reason) },
      'a background task failed (unhandled rejection); continuing',
    );
  });
  process.on('uncaughtException', (error) => {
    if (isConnectionLost(error)) {
      installed!.warn({ err: describe(error) }, 'database connection lost outside a request; continuing');
      return;
    }
    installed!.fatal({ err: describe(error) }, 'uncaught exception; exiting');
    process.stderr.write(`amsnet: internal error: ${error?.message ?? String(error)}\n`);
    process.exit(1);
  });
}

/**
 * Routes the guards' messages to the logger a command configured (its level, its fields). Does
 * nothing where the guards are not installed: only the `amsnet` entry point installs them, never
 * a test runner that calls the same code in its own process.
 */
export function setProcessGuardLogger(log: Logger): void {
  if (installed) installed = log;
}

function describe(reason: unknown): { message: string; code?: unknown; stack?: string } {
  if (reason instanceof Error)
    return { message: reason.message, code: (reason as { code?: unknown }).code, stack: reason.stack };
  return { message: String(reason) };
}
