import { createScoringWorker, type WorkerSettings } from '../../src/app/jobs';
import { Permission } from '../../src/auth/permissions';
import type { ScoringRun } from '../../src/entities';
import type { JobQueueOptions } from '../../src/jobs/job-queue';
import type { JobHandlers, JobName } from '../../src/jobs/job-registry';
import { startJobRuntime, type JobRuntime } from '../../src/jobs/runtime';
import { startScoringScheduler } from '../../src/jobs/scheduler';
import type { ScoringScope } from '../../src/jobs/scoring-requests';
import { loadConfig, type AppConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { accessOf } from '../helpers/access';
import type { TestDatabase } from '../helpers/database';

/** Shared settings of the queue tests: CPU, small inference batches, quiet logs. */
export function testConfig(over: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ LOG_LEVEL: 'silent' }), inferenceMaxBatch: 2, ...over };
}

export const quietLog = createLogger('silent');

/** Fast polling and retries so a test waits seconds, not minutes. */
export const FAST = {
  pollingIntervalSeconds: 0.5,
  policies: {
    'score-clinic': { retryDelay: 1, retryBackoff: false },
    'score-embryos': { retryDelay: 1, retryBackoff: false },
  },
} as const;

export interface TestRuntimeOptions
  extends WorkerSettings, Pick<JobQueueOptions, 'pollingIntervalSeconds' | 'policies'> {
  config?: AppConfig;
  /** Default true: claim and run jobs. */
  worker?: boolean;
  scheduler?: boolean;
  /** Fault injection and tracking around the real handlers. */
  wrapHandlers?: (handlers: JobHandlers) => Partial<Record<JobName, unknown>>;
}

/** A job runtime over the test database with the application's own scoring worker (and optional wrappers). */
export async function startTestRuntime(db: TestDatabase, options: TestRuntimeOptions = {}): Promise<JobRuntime> {
  const config = options.config ?? testConfig();
  const worker = options.worker === false ? undefined : createScoringWorker(db.services, config, quietLog, options);
  const wrap = options.wrapHandlers ?? ((h: JobHandlers) => h);
  return startJobRuntime({
    databaseUrl: db.url,
    log: quietLog,
    handlers: worker && ((queue) => wrap(worker.handlers(queue))),
    scheduler: options.scheduler
      ? (queue) => startScoringScheduler({ store: db.store, queue, log: quietLog, cronExpression: config.scoringCron })
      : undefined,
    queue: { pollingIntervalSeconds: options.pollingIntervalSeconds, policies: options.policies },
    onStop: worker?.close,
  });
}

/**
 * A scoring request as the API (`requestedBy` a member: a grant of the access layer) or the
 * operator (privileged system access) makes it.
 */
export async function requestScoring(
  db: TestDatabase,
  input: { clinicId: string; requestedBy: string | null; trigger: 'request' | 'cli' } & ScoringScope,
): Promise<ScoringRun> {
  const { clinicId, requestedBy, trigger, ...scope } = input;
  const grant = requestedBy
    ? await (await accessOf(db, { id: requestedBy })).requireClinic(clinicId, Permission.LAB_WORK)
    : db.services.system.clinic(clinicId);
  return db.services.scoring.request(grant, scope, trigger);
}

const DONE = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

/** Polls the run until it is finished (or the time is up, then the test fails with its state). */
export async function waitForRun(
  ds: TestDatabase['dataSource'],
  runId: string,
  timeoutMs = 40_000,
): Promise<ScoringRun> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await ds.query(`SELECT * FROM scoring_run WHERE id = $1`, [runId]);
    if (row && DONE.includes(row.status)) {
      return {
        ...row,
        embryosScored: row.embryos_scored,
        predictionsWritten: row.predictions_written,
        embryosFailed: row.embryos_failed,
        executionProvider: row.execution_provider,
        embryosPerSecond: row.embryos_per_second,
        durationMs: row.duration_ms,
        modelVersionId: row.model_version_id,
      } as ScoringRun;
    }
    if (Date.now() > until) throw new Error(`scoring run ${runId} did not finish: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
