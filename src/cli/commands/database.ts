import type { Command } from 'commander';
import { withApp } from '../app-context';

export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (starts the embedded database when DATABASE_URL is unset)')
    .option('--revert', 'revert the most recent migration instead')
    .action(async (opts: { revert?: boolean }) => {
      await withApp(
        async ({ dataSource }) => {
          if (opts.revert) {
            await dataSource.undoLastMigration({ transaction: 'each' });
            console.log('reverted the last migration');
            return;
          }
          const applied = await dataSource.runMigrations({ transaction: 'each' });
          console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
        },
        { migrate: false },
      );
    });
}
