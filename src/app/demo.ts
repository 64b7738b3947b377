import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ensureFirstStartAdmin } from '../accounts/first-start';
import { startJobRuntime, type JobRuntime } from '../jobs/runtime';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { DemoLabService, type DemoLabResult, type SeedDemoLabRequest } from './demo-lab.service';
import { demoInstructions, type DemoAdmin } from './demo-instructions';

export interface DemoRunDeps {
  dataSource: DataSource;
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
  const actor = { userId: null, requestId: `demo-${randomUUID()}` };
  const log = deps.log.child({ requestId: actor.requestId });
  const admin = deps.admin ?? (await firstAdmin(deps.dataSource));
  let jobs: JobRuntime | undefined;
  if (request.scoring === 'wait' && !deps.runningWorker) {
    jobs = await startJobRuntime({ dataSource: deps.dataSource, databaseUrl: deps.databaseUrl, config: deps.config, log, worker: true, scheduler: false });
  }
  try {
    const service = new DemoLabService({ dataSource: deps.dataSource, databaseUrl: deps.databaseUrl, log });
    const result = await service.seed(request, actor, (step, detail) => deps.print(`  demo: ${step} — ${detail}\n`));
    log.info({ clinic: result.clinic.code, scoringRunId: result.scoringRun.id, seconds: result.seconds }, 'demo lab seeded');
    deps.print(demoInstructions(result, { graphqlUrl: `http://localhost:${deps.config.port}/graphql`, admin }) + '\n');
    return result;
  } finally {
    await jobs?.stop();
  }
}

/** On an empty database the demo makes the first administrator too (as `npm start` does). */
async function firstAdmin(dataSource: DataSource): Promise<DemoAdmin | undefined> {
  const created = await ensureFirstStartAdmin(dataSource);
  return created ? { email: created.email, password: created.password } : undefined;
}
