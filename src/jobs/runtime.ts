import type { Logger } from '../platform/logger';
import { assertEveryJobHandled, JOB_NAMES, type JobHandler, type JobName, type JobPayloads } from './job-registry';
import { JobQueue, type JobQueueOptions } from './job-queue';
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
  const queue = await JobQueue.open(options.databaseUrl, { log, supervise: true, ...options.queue });
  opened.queue = queue;
  let scheduler: Scheduler | undefined;
  try {
    if (handlers) {
      assertEveryJobHandled(handlers);
      // handlers[name] is the handler of exactly that job (JobHandlers); the loop variable loses the pairing.
      for (const name of JOB_NAMES) await queue.work(name, handlers[name] as JobHandler<JobPayloads[JobName]>);
      log.info({ jobs: JOB_NAMES }, 'scoring worker started');
    }
    if (options.scheduler) scheduler = options.scheduler(queue);
  } catch (error) {
    await queue.stop().catch(() => undefined);
    await options.onStop?.().catch(() => undefined);
    throw error;
  }
  return {
    queue,
    async stop() {
      await scheduler?.stop();
      await queue.stop();
      await options.onStop?.();
    },
  };
}
