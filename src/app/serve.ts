import type { Command } from 'commander';
import { ensureFirstStartAdmin } from '../../accounts/first-start';
import { seedDemoOnFirstStart } from '../../demo/first-start-demo';
import { startJobRuntime, type JobRuntime } from '../../jobs/runtime';
import { closeSharedJobQueues } from '../../jobs/shared-queue';
import { loadConfig } from '../../platform/config';
import { openDatabase } from '../../platform/database/open-database';
import { startHttpServer, type HttpServer } from '../../platform/http/http-server';
import { createLogger } from '../../platform/logger';

interface ServeOptions {
  http: boolean;
  worker: boolean;
  scheduler: boolean;
  firstStart: boolean;
  /** Seed the demo lab after creating the first-start admin (`start` only). */
  demo?: boolean;
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
      await closeSharedJobQueues(); // queue clients of scoring requests made by the API
    } finally {
      await db.close();
      log.info('stopped');
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    let firstAdmin: { email: string; password: string } | undefined;
    if (opts.firstStart) {
      const admin = await ensureFirstStartAdmin(db.dataSource);
      firstAdmin = admin;
      if (admin) {
        process.stdout.write(
          `\n  First start: created clinic "${admin.clinic.code}" and its administrator.\n` +
            `    e-mail:   ${admin.email}\n    password: ${admin.password}   (shown once; change it or create your own users)\n\n`,
        );
      }
    }
    if (opts.http) {
      http = await startHttpServer({ config, dataSource: db.dataSource, log });
    }
    if (opts.worker || opts.scheduler) {
      jobs = await startJobRuntime({ dataSource: db.dataSource, databaseUrl: db.url, config, log, worker: opts.worker, scheduler: opts.scheduler });
    }
    // First start only: seed the demo lab once the API listens and the worker runs (src/demo).
    if (firstAdmin && opts.demo !== false) await seedDemoOnFirstStart({ dataSource: db.dataSource, databaseUrl: db.url, config, log, admin: firstAdmin, workerRunning: opts.worker });
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
    .description('what `npm start` runs: migrate, on an empty database create the demo admin and seed the demo lab, then serve')
    .option('--no-worker', 'do not score in this process')
    .option('--no-scheduler', 'do not enqueue cron-driven scoring from this process')
    .option('--no-demo', 'do not seed the demo lab on first start')
    .action((opts: { worker: boolean; scheduler: boolean; demo: boolean }) =>
      serve({ http: true, worker: opts.worker, scheduler: opts.scheduler, firstStart: true, demo: opts.demo }),
    );

  program
    .command('worker')
    .description('run a scoring worker only (any number of them can share one database)')
    .action(() => serve({ http: false, worker: true, scheduler: false, firstStart: false }));
}
