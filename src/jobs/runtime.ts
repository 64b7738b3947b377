import type { DataSource } from 'typeorm';
import { EmbryoScoringService, type ScoringObserver } from '../inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../inference/scoring/model-cache';
import { ScoringRunsService } from '../inference/scoring/scoring-runs.service';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createJobHandlers } from './handlers';
import { assertEveryJobHandled, JOB_NAMES, type JobHandler, type JobHandlers, type JobName, type JobPayloads } from './job-registry';
import { JobQueue, type JobQueueOptions } from './job-queue';
import { startScoringScheduler, type Scheduler } from './scheduler';
import { forgetSharedJobQueue, registerSharedJobQueue } from './shared-queue';

export interface JobRuntimeOptions {
  dataSource: DataSource;
  databaseUrl: string;
  config: AppConfig;
  log: Logger;
  /** Claim and run jobs in this process. */
  worker: boolean;
  /** Enqueue the cron-driven jobs from this process. */
  scheduler: boolean;
  /** Tests: faster polling, fault injection around handlers, progress observers. */
  pollingIntervalSeconds?: number;
  embryosPerJob?: number;
  wrapHandlers?: (handlers: JobHandlers) => Partial<Record<JobName, unknown>>;
  observer?: ScoringObserver;
  policies?: JobQueueOptions['policies'];
}

export interface JobRuntime {
  queue: JobQueue;
  stop(): Promise<void>;
}

/**
 * Embryos per score-embryos job by default: four inference batches of INFERENCE_MAX_BATCH. Each job
 * reads and decodes its first batch before any inference can start (later batches overlap with
 * inference), so fewer, larger jobs waste less; 16 full-size embryos are still only ≈1.5 min of CPU,
 * fine-grained enough to spread a night's work over several workers and cheap to retry.
 */
const DEFAULT_BATCHES_PER_JOB = 4;

/**
 * Starts the job queue with the worker and/or scheduler of this process. A worker runs every job
 * of the registry and refuses to start if one has no handler; the scheduler enqueues the nightly
 * scoring (SCORING_CRON). Both can run in any number of processes against one database.
 */
export async function startJobRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  const { config, log, dataSource } = options;
  const predictors = new PredictorCache({ executionProviders: config.ortExecutionProviders, maxBatch: config.inferenceMaxBatch, logger: log });
  const runs = new ScoringRunsService(dataSource);
  let handlers: Partial<Record<JobName, unknown>> | undefined;
  let queue: JobQueue | undefined;
  if (options.worker) {
    // Checked before the queue opens: a worker that cannot run every job never claims one.
    const planned = createJobHandlers({
      dataSource, runs, log, observer: options.observer,
      scoring: new EmbryoScoringService(dataSource, predictors),
      embryosPerJob: options.embryosPerJob ?? config.inferenceMaxBatch * DEFAULT_BATCHES_PER_JOB,
      get queue(): JobQueue {
        if (!queue) throw new Error('job queue not open');
        return queue;
      },
    });
    handlers = options.wrapHandlers ? options.wrapHandlers(planned) : planned;
    assertEveryJobHandled(handlers);
  }
  queue = await JobQueue.open(options.databaseUrl, { log, supervise: true, pollingIntervalSeconds: options.pollingIntervalSeconds, policies: options.policies });
  registerSharedJobQueue(options.databaseUrl, queue);
  let scheduler: Scheduler | undefined;
  try {
    if (handlers) {
      assertEveryJobHandled(handlers);
      // handlers[name] is the handler of exactly that job (JobHandlers); the loop variable loses the pairing.
      for (const name of JOB_NAMES) await queue.work(name, handlers[name] as JobHandler<JobPayloads[JobName]>);
      log.info({ jobs: JOB_NAMES, executionProviders: config.ortExecutionProviders }, 'scoring worker started');
    }
    if (options.scheduler) scheduler = startScoringScheduler({ dataSource, queue, log, cronExpression: config.scoringCron });
  } catch (error) {
    await queue.stop().catch(() => undefined);
    forgetSharedJobQueue(options.databaseUrl);
    throw error;
  }
  const opened = queue;
  return {
    queue: opened,
    async stop() {
      await scheduler?.stop();
      await opened.stop();
      forgetSharedJobQueue(options.databaseUrl);
      await predictors.close();
    },
  };
}
