import type { Command } from 'commander';
import { UserError } from '../../platform/errors';
import type { CliRuntime } from '../runtime';

export function registerDatabaseCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('migrate')
    .description('apply pending database migrations (starts the embedded database when DATABASE_URL is unset)')
    .option('--revert', 'revert the most recent migration instead')
    .option(
      '--drop-audit-log',
      'with --revert: allow reverting a migration that drops the audit log or its hash chain (the audit trail is lost)',
    )
    .action(async (opts: { revert?: boolean; dropAuditLog?: boolean }) => {
      if (opts.dropAuditLog && !opts.revert) throw new UserError('--drop-audit-log is an option of --revert only');
      await runtime.withApp(
        async ({ migrations }) => {
          if (opts.revert) {
            await migrations.revertLast({ dropAuditLog: opts.dropAuditLog === true });
            console.log('reverted the last migration');
            return;
          }
          const applied = await migrations.apply();
          console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        },
        { migrate: false },
      );
    });
}
