import { AbandonedScoringWork } from '../inference/scoring/abandoned-work';
import { EmbryoScoringService, type ScoringObserver } from '../inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../inference/scoring/model-cache';
import { ScoringRunsService } from '../inference/scoring/scoring-runs.service';
import { lookupTuning, tuningFilePath } from '../inference/tuning-cache';
import { ScoringService } from '../inference/scoring/scoring.service';
import { createJobHandlers } from '../jobs/handlers';
import { monitoringHandler } from '../jobs/monitoring.handler';
import { ModelMonitoringService } from '../inference/monitoring/model-monitoring.service';
import { monitoringThresholds } from '../platform/monitoring-config';
import type { JobQueue, JobQueueOptions } from '../jobs/job-queue';
import type { JobHandlers, JobPayloads } from '../jobs/job-registry';
import { scoringBatchQueue } from '../jobs/lazy-queue';
import { ProcessLease } from '../jobs/process-lease';
import { startJobRuntime, type JobRuntime } from '../jobs/runtime';
import { startImportSourceScheduler } from '../jobs/import-source-scheduler';
import { startScoringScheduler, type Scheduler } from '../jobs/scheduler';
import { StaleRunSweeper, type GaveUpHandler } from '../jobs/stale-run-sweeper';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { AppServices } from './services';

/**
 * Embryos per score-embryos job by default: four inference batches of INFERENCE_MAX_BATCH. Each job
 * reads and decodes its first batch before any inference can start (later batches overlap with
 * inference), so fewer, larger jobs waste less; 16 full-size embryos are still only ≈1.5 min of CPU,
 * fine-grained enough to spread a night's work over several workers and cheap to retry.
 */
const DEFAULT_BATCHES_PER_JOB = 4;

export interface WorkerSettings {
  /** Embryos per score-embryos job; default four inference batches. */
  embryosPerJob?: number;
  /** Told about each embryo's write (progress; the fault-injection tests). */
  observer?: ScoringObserver;
  /** The lease of this process: the imports of scheduled sources are closed by the sweeper if it dies. */
  leaseId?: string;
}

export interface ScoringWorker {
  /** The handler of every job, for startJobRuntime. */
  handlers: (queue: () => JobQueue) => JobHandlers;
  /** Releases the loaded models. */
  close: () => Promise<void>;
}

/** The scoring worker of this process: its loaded models, the scoring services and their job handlers. */
export function createScoringWorker(
  services: AppServices,
  config: AppConfig,
  log: Logger,
  settings: WorkerSettings = {},
): ScoringWorker {
  const { store } = services;
  const predictors = new PredictorCache(store.models, {
    executionProviders: config.ortExecutionProviders,
    maxBatch: config.inferenceMaxBatch,
    logger: log,
    tuningOf: (sha256) =>
      lookupTuning(tuningFilePath(config.dataDir), sha256, config.ortExecutionProviders[0] ?? 'cpu')?.tuning,
  });
  const runs = new ScoringRunsService(store);
  const scoring = new EmbryoScoringService(store, predictors);
  const monitoring = new ModelMonitoringService(store, monitoringThresholds(), log);
  return {
    handlers: (queue) =>
      createJobHandlers(
        new ScoringService({
          store,
          runs,
          scoring,
          log,
          observer: settings.observer,
          queue: scoringBatchQueue(queue),
          embryosPerBatch: settings.embryosPerJob ?? config.inferenceMaxBatch * DEFAULT_BATCHES_PER_JOB,
        }),
        {
          run: (payload, jobId) =>
            services.importSourceScans.run(payload, jobId, {
              leaseId: settings.leaseId,
              databaseWaitMs: config.databaseWaitSeconds * 1000,
            }),
        },
        monitoringHandler(monitoring, () => services.system.withRequestId('monitor-models').network()),
      ),
    close: () => predictors.close(),
  };
}

export interface JobsOptions extends WorkerSettings {
  /** Claim and run jobs in this process. */
  worker: boolean;
  /** Enqueue the cron-driven jobs (SCORING_CRON) from this process. */
  scheduler: boolean;
  queue?: Pick<JobQueueOptions, 'pollingIntervalSeconds' | 'policies'>;
}

/**
 * The job runtime of this process: a scoring worker and/or the scheduler. While it runs, the
 * process's scoring requests are sent through its queue.
 */
export async function startJobs(
  app: { services: AppServices; config: AppConfig; log: Logger; databaseUrl: string },
  options: JobsOptions,
): Promise<JobRuntime> {
  const { services, config, log } = app;
  // Every job-running process holds a lease and sweeps for the work of dead ones (README "Failures and recovery").
  const lease = await ProcessLease.take(services.store, {
    role: options.worker ? 'worker' : 'scheduler',
    leaseSeconds: config.workerLeaseSeconds,
    log,
  });
  const worker = options.worker
    ? createScoringWorker(services, config, log, { ...options, leaseId: lease.id })
    : undefined;
  const abandoned = new AbandonedScoringWork(new ScoringRunsService(services.store));
  const onGaveUp: GaveUpHandler = async (name, job, reason) => {
    if (name === 'score-embryos') await abandoned.batch(job.data as JobPayloads['score-embryos'], reason);
    else if (name === 'score-clinic') await abandoned.plan(job.data as JobPayloads['score-clinic'], job.id, reason);
  };
  const runtime = await startJobRuntime({
    databaseUrl: app.databaseUrl,
    log: worker ? log.child({ executionProviders: config.ortExecutionProviders }) : log,
    handlers: worker?.handlers,
    scheduler: options.scheduler
      ? (queue) =>
          bothSchedulers(
            startScoringScheduler({ store: services.store, queue, log, cronExpression: config.scoringCron }),
            startImportSourceScheduler({ store: services.store, queue, log }),
          )
      : undefined,
    queue: options.queue,
    lease,
    sweeper: (queue) =>
      new StaleRunSweeper({
        store: services.store,
        queue,
        log,
        intervalSeconds: config.sweepIntervalSeconds,
        onGaveUp,
      }).start(),
    drainSeconds: config.workerDrainSeconds,
    onStop: worker?.close,
  }).catch(async (error: unknown) => {
    await lease.release();
    throw error;
  });
  services.queue.adopt(runtime.queue);
  return {
    queue: runtime.queue,
    async stop() {
      services.queue.release(runtime.queue);
      await runtime.stop();
    },
  };
}

/** The nightly scoring and the import sources' scans, stopped together. */
function bothSchedulers(a: Scheduler, b: Scheduler): Scheduler {
  return { stop: async () => void (await Promise.all([a.stop(), b.stop()])) };
}
