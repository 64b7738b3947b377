import { isConnectionLost } from '../platform/database/reconnect';
import { LOG_LEVELS, type LogLevel } from '../platform/config';
import { UserError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { installProcessGuards } from '../platform/process-guards';
import { amsnetProgram } from './cli';

/** The `amsnet` command (bin/amsnet.js runs the compiled form of this). */
export async function main(argv: string[]): Promise<void> {
  // Before anything runs: a rejected background promise must never end a worker or the API.
  const level = process.env.LOG_LEVEL?.trim().toLowerCase() as LogLevel | undefined;
  installProcessGuards(createLogger(level && LOG_LEVELS.includes(level) ? level : 'info'));
  try {
    await amsnetProgram().parseAsync(argv);
  } catch (error) {
    // A database that is down or restarting is the operator's to fix: one line, no stack trace.
    if (isConnectionLost(error))
      throw new UserError(
        `the database is unreachable (${(error as Error).message}); check that PostgreSQL runs (DATABASE_URL), then run the command again`,
      );
    throw error;
  }
}
