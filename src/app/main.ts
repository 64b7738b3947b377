import { isConnectionLost } from '../platform/database/reconnect';
import { UserError } from '../platform/errors';
import { amsnetProgram } from './cli';

/** The `amsnet` command (bin/amsnet.js runs the compiled form of this). */
export async function main(argv: string[]): Promise<void> {
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
