import type { Command } from 'commander';
import { ensureFirstStartAdmin } from '../../accounts/first-start';
import { startJobRuntime, type JobRuntime } from '../../jobs/runtime';
import { loadConfig } from '../../platform/config';
import { openDatabase } from '../../platform/database/open-database';
import { startHttpServer, type HttpServer } from '../../platform/http/http-server';
import { resolveJwtSecret } from '../../platform/jwt-secret';
import { createLogger } from '../../platform/logger';

interface ServeOptions {
  http: boolean;
  worker: boolean;
  scheduler: boolean;
  firstStart: boolean;
}

/**
 * Runs the long-lived parts of the system in one process and stops them cleanly, in reverse order,
 * on SIGINT/SIGTERM: HTTP first (drains requests), then scheduler and worker, then the database.
 */
async function serve(opts: ServeOptions): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await openDatabase(config, log, { migrate: true, applicationName: opts.http ? 'amsnet-serve' : 'amsnet-worker' });
  let http: HttpServer | undefined;
  let jobs: JobRuntime | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await http?.stop();
      await jobs?.stop();
    } finally {
      await db.close();
      log.info('stopped');
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    if (opts.firstStart) {
      const admin = await ensureFirstStartAdmin(db.dataSource);
      if (admin) {
        process.stdout.write(
          `\n  First start: created clinic "${admin.clinic.code}" and its administrator.\n` +
            `    e-mail:   ${admin.email}\n    password: ${admin.password}   (shown once; change it or create your own users)\n\n`,
        );
      }
    }
    if (opts.http) {
      resolveJwtSecret(config, log);
      http = await startHttpServer({ config, dataSource: db.dataSource, log });
    }
    if (opts.worker || opts.scheduler) {
      jobs = await startJobRuntime({ dataSource: db.dataSource, databaseUrl: db.url, config, log, worker: opts.worker, scheduler: opts.scheduler });
    }
  } catch (error) {
    await http?.stop().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await db.close();
    throw error;
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run the API, the scheduler and a scoring worker in one process')
    .option('--no-worker', 'do not score in this process')
    .option('--no-scheduler', 'do not enqueue cron-driven scoring from this process')
    .action((opts: { worker: boolean; scheduler: boolean }) => serve({ http: true, worker: opts.worker, scheduler: opts.scheduler, firstStart: false }));

  program
    .command('start')
    .description('what `npm start` runs: migrate, create the demo admin on an empty database, then serve')
    .option('--no-worker', 'do not score in this process')
    .option('--no-scheduler', 'do not enqueue cron-driven scoring from this process')
    .action((opts: { worker: boolean; scheduler: boolean }) => serve({ http: true, worker: opts.worker, scheduler: opts.scheduler, firstStart: true }));

  program
    .command('worker')
    .description('run a scoring worker only (any number of them can share one database)')
    .action(() => serve({ http: false, worker: true, scheduler: false, firstStart: false }));
}
