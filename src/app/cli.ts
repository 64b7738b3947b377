import type { Command } from 'commander';
import { ALLOW_AUDIT_LOG_DROP } from '../../migrations/audit-log-guard';
import { buildProgram } from '../cli/main';
import type { CliContext, CliRuntime } from '../cli/runtime';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { setProcessGuardLogger } from '../platform/process-guards';
import { openAppDatabase } from './database';
import { runDemo } from './demo';
import { startJobs } from './jobs';
import { serve } from './serve';
import { createServices } from './services';

/** The CLI's runtime: each command gets config, logger and the services over a database opened for it. */
export const cliRuntime: CliRuntime = {
  async withApp(fn, options = {}) {
    const config = loadConfig();
    // One-shot commands print their results; their logs only matter at warn and above.
    const log = createLogger(options.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel));
    setProcessGuardLogger(log);
    const db = await openAppDatabase(config, log, {
      migrate: options.migrate ?? true,
      poolSize: 4,
      applicationName: 'amsnet-cli',
    });
    const services = createServices({ dataSource: db.dataSource, databaseUrl: db.url, log });
    const context: CliContext = {
      config,
      log,
      services,
      migrations: {
        apply: () =>
          db.asOwner(async (owner) => (await owner.runMigrations({ transaction: 'each' })).map((m) => m.name)),
        // The audit log's migrations refuse to revert unless this connection allows it (migrations/audit-log-guard.ts).
        revertLast: (options = {}) =>
          db.asOwner(
            (owner) => owner.undoLastMigration({ transaction: 'each' }),
            options.dropAuditLog ? { [ALLOW_AUDIT_LOG_DROP]: 'on' } : undefined,
          ),
      },
      startWorker: () => startJobs({ services, databaseUrl: db.url, config, log }, { worker: true, scheduler: false }),
      runDemo: async (request, print) => {
        await runDemo({ services, databaseUrl: db.url, config, log, print }, request);
      },
    };
    try {
      return await fn(context);
    } finally {
      await services.close(); // the queue client that sent scoring requests, before the database closes
      await db.close();
    }
  },
  serve,
};

/** The `amsnet` program wired to this application. */
export function amsnetProgram(): Command {
  return buildProgram(cliRuntime);
}
