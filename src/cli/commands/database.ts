import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';

export function registerDatabaseCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('migrate')
    .description('apply pending database migrations (starts the embedded database when DATABASE_URL is unset)')
    .option('--revert', 'revert the most recent migration instead')
    .action(async (opts: { revert?: boolean }) => {
      await runtime.withApp(
        async ({ migrations }) => {
          if (opts.revert) {
            await migrations.revertLast();
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
