import { randomUUID } from 'node:crypto';
import { ensureFirstStartAdmin } from '../accounts/first-start';
import { demoRequest } from '../demo/demo-defaults';
import { demoInstructions, type DemoAdmin } from '../demo/demo-instructions';
import { DemoLabService, type DemoLabResult, type SeedDemoLabRequest } from '../demo/demo-lab.service';
import type { JobRuntime } from '../jobs/runtime';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { startJobs } from './jobs';
import type { AppServices } from './services';

export interface DemoRunDeps {
  services: AppServices;
  databaseUrl: string;
  config: AppConfig;
  log: Logger;
  /** A job runtime with a worker already running in this process (`serve`); else one is started when waiting. */
  runningWorker?: boolean;
  /** The administrator made just now by the first start, whose password can still be shown. */
  admin?: DemoAdmin;
  print: (text: string) => void;
}

/**
 * Seeds the demo lab and prints where to look. Used by `amsnet demo` and by `npm start` on an
 * empty database. When it must wait for scoring and no worker runs in this process, it runs one
 * for the duration (the same worker as `amsnet worker`).
 */
export async function runDemo(deps: DemoRunDeps, request: SeedDemoLabRequest): Promise<DemoLabResult> {
  const { services } = deps;
  const system = services.system.withRequestId(`demo-${randomUUID()}`);
  const log = deps.log.child({ requestId: system.actor.requestId });
  const admin = deps.admin ?? (await firstAdmin(services));
  let jobs: JobRuntime | undefined;
  if (request.scoring === 'wait' && !deps.runningWorker) {
    jobs = await startJobs(
      { services, databaseUrl: deps.databaseUrl, config: deps.config, log },
      { worker: true, scheduler: false },
    );
  }
  try {
    const service = new DemoLabService(services);
    const result = await service.seed(request, system, (step, detail) => deps.print(`  demo: ${step} — ${detail}\n`));
    log.info(
      { clinic: result.clinic.code, scoringRunId: result.scoringRun.id, seconds: result.seconds },
      'demo lab seeded',
    );
    deps.print(demoInstructions(result, { graphqlUrl: `http://localhost:${deps.config.port}/graphql`, admin }) + '\n');
    return result;
  } finally {
    await jobs?.stop();
  }
}

/** On an empty database the demo makes the first administrator too (as `npm start` does). */
async function firstAdmin(services: AppServices): Promise<DemoAdmin | undefined> {
  const created = await ensureFirstStartAdmin(services);
  return created ? { email: created.email, password: created.password } : undefined;
}

/**
 * `npm start` on an empty database: once the first administrator exists and the API listens, seed
 * the demo lab so a newcomer sees the whole system work. Never in production (NODE_ENV=production),
 * and never fatal: the server keeps running and says how to seed it by hand.
 */
export async function seedDemoOnFirstStart(deps: {
  services: AppServices;
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
