import { ensureFirstStartAdmin } from '../accounts/first-start';
import type { ServeOptions } from '../cli/runtime';
import type { JobRuntime } from '../jobs/runtime';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { setProcessGuardLogger } from '../platform/process-guards';
import { openAppDatabase } from './database';
import { seedDemoOnFirstStart } from './demo';
import { startHttpServer, type HttpServer } from './http-server';
import { startJobs } from './jobs';
import { apiSessionSettings } from '../platform/database/session-settings';
import { createServices } from './services';

/**
 * Runs the long-lived parts of the system in one process and stops them cleanly, in reverse order,
 * on SIGINT/SIGTERM: HTTP first (drains requests), then scheduler and worker, then the database.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  setProcessGuardLogger(log);
  const db = await openAppDatabase(config, log, {
    migrate: true,
    applicationName: opts.http ? 'amsnet-serve' : 'amsnet-worker',
    // A runaway API query ends instead of holding a connection (API_STATEMENT_TIMEOUT_MS, 0: none).
    settings: opts.http ? apiSessionSettings(config) : undefined,
    warnWhenPrivileged: true,
  });
  const services = createServices({ dataSource: db.dataSource, databaseUrl: db.url, log });
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
      await services.close(); // the queue client of scoring requests made by the API
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
      const admin = await ensureFirstStartAdmin(services);
      firstAdmin = admin;
      if (admin) {
        process.stdout.write(
          `\n  First start: created clinic "${admin.clinic.code}" and its administrator.\n` +
            `    e-mail:   ${admin.email}\n    password: ${admin.password}   (shown once; you choose your own at the first sign-in)\n\n`,
        );
      }
    }
    if (opts.http) {
      http = await startHttpServer({ config, dataSource: db.dataSource, services, log });
    }
    if (opts.worker || opts.scheduler) {
      jobs = await startJobs(
        { services, databaseUrl: db.url, config, log },
        { worker: opts.worker, scheduler: opts.scheduler },
      );
    }
    // First start only: seed the demo lab once the API listens and the worker runs (src/demo).
    if (firstAdmin && opts.demo !== false)
      await seedDemoOnFirstStart({
        services,
        databaseUrl: db.url,
        config,
        log,
        admin: firstAdmin,
        workerRunning: opts.worker,
      });
  } catch (error) {
    await http?.stop().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await services.close();
    await db.close();
    throw error;
  }
}
