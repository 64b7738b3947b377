import type { Logger } from '../platform/logger';
import { assertEveryJobHandled, JOB_NAMES, type JobHandler, type JobName, type JobPayloads } from './job-registry';
import { JobQueue, type JobQueueOptions } from './job-queue';
import type { ProcessLease } from './process-lease';
import type { Scheduler } from './scheduler';

export interface JobRuntimeOptions {
  databaseUrl: string;
  log: Logger;
  /**
   * Makes this process a worker: the handler of every registered job, built with a getter of the
   * queue (open once the handlers have passed the check).
   */
  handlers?: (queue: () => JobQueue) => Partial<Record<JobName, unknown>>;
  /** Makes this process enqueue the cron-driven jobs too. */
  scheduler?: (queue: JobQueue) => Scheduler;
  queue?: Pick<JobQueueOptions, 'pollingIntervalSeconds' | 'policies'>;
  /** This process's lease: the worker lists its running jobs under it; released last on stop. */
  lease?: ProcessLease;
  /** Hands on the work of dead processes (src/jobs/stale-run-sweeper.ts); started with the queue. */
  sweeper?: (queue: JobQueue) => { stop(): Promise<void> };
  /** On stop, how long a running job may take to finish before it is failed for a retry elsewhere. Default 30 s. */
  drainSeconds?: number;
  /** Called last when the runtime stops (the worker's loaded models). */
  onStop?: () => Promise<void>;
}

export interface JobRuntime {
  queue: JobQueue;
  stop(): Promise<void>;
}

/**
 * Starts the job queue with the worker and/or scheduler of this process. A worker runs every job
 * of the registry and refuses to start if one has no handler. Both can run in any number of
 * processes against one database.
 */
export async function startJobRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  const { log } = options;
  const opened: { queue?: JobQueue } = {};
  const openQueue = (): JobQueue => {
    if (!opened.queue) throw new Error('job queue not open');
    return opened.queue;
  };
  // Checked before the queue opens: a worker that cannot run every job never claims one.
  const handlers = options.handlers?.(openQueue);
  if (handlers) assertEveryJobHandled(handlers);
  const queue = await JobQueue.open(options.databaseUrl, {
    log,
    supervise: true,
    lease: options.lease,
    ...options.queue,
  });
  opened.queue = queue;
  let scheduler: Scheduler | undefined;
  let sweeper: { stop(): Promise<void> } | undefined;
  try {
    if (handlers) {
      assertEveryJobHandled(handlers);
      // handlers[name] is the handler of exactly that job (JobHandlers); the loop variable loses the pairing.
      for (const name of JOB_NAMES) await queue.work(name, handlers[name] as JobHandler<JobPayloads[JobName]>);
      log.info({ jobs: JOB_NAMES }, 'scoring worker started');
    }
    if (options.scheduler) scheduler = options.scheduler(queue);
    sweeper = options.sweeper?.(queue);
  } catch (error) {
    await sweeper?.stop().catch(() => undefined);
    await queue.stop().catch(() => undefined);
    await options.onStop?.().catch(() => undefined);
    throw error;
  }
  return {
    queue,
    async stop() {
      await scheduler?.stop();
      await sweeper?.stop();
      // Drains: no new job is taken; a running one finishes, or is failed (retried elsewhere) at the deadline.
      await queue.stop((options.drainSeconds ?? 30) * 1000);
      await options.onStop?.();
      await options.lease?.release();
    },
  };
}
