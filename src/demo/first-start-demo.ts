import type { DataSource } from 'typeorm';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { demoRequest } from './demo-defaults';
import type { DemoAdmin } from './demo-instructions';
import { runDemo } from './demo-run';

/**
 * `npm start` on an empty database: once the first administrator exists and the API listens, seed
 * the demo lab so a newcomer sees the whole system work. Never in production (NODE_ENV=production),
 * and never fatal: the server keeps running and says how to seed it by hand.
 */
export async function seedDemoOnFirstStart(deps: {
  dataSource: DataSource;
  databaseUrl: string;
  config: AppConfig;
  log: Logger;
  admin: DemoAdmin;
  /** A worker runs in this process: wait for it to score, so the printed query shows trajectories. */
  workerRunning: boolean;
}): Promise<void> {
  if (deps.config.production) {
    deps.log.info('production: no demo lab on first start (run `amsnet demo` to seed one)');
    return;
  }
  try {
    await runDemo(
      { ...deps, runningWorker: deps.workerRunning, print: (text) => process.stdout.write(text) },
      demoRequest({ wait: deps.workerRunning }),
    );
  } catch (error) {
    deps.log.error({ err: error }, 'demo lab not seeded; the server runs on; seed it later with `amsnet demo`');
  }
}
