import type { Logger } from '../platform/logger';
import { JobQueue } from './job-queue';

/**
 * One sending queue client per database per process, opened on first use: the API enqueues
 * scoring requests without starting a queue per request. The runtime registers its own.
 */
const queues = new Map<string, Promise<JobQueue>>();

export function sharedJobQueue(databaseUrl: string, log?: Logger): Promise<JobQueue> {
  let queue = queues.get(databaseUrl);
  if (!queue) {
    queue = JobQueue.open(databaseUrl, { log, poolSize: 2, applicationName: 'amsnet-queue-sender' });
    queue.catch(() => queues.delete(databaseUrl));
    queues.set(databaseUrl, queue);
  }
  return queue;
}

export function registerSharedJobQueue(databaseUrl: string, queue: JobQueue): void {
  queues.set(databaseUrl, Promise.resolve(queue));
}

export function forgetSharedJobQueue(databaseUrl: string): void {
  queues.delete(databaseUrl);
}

/** Stops every queue opened through sharedJobQueue (process shutdown, test teardown). */
export async function closeSharedJobQueues(): Promise<void> {
  const all = [...queues.values()];
  queues.clear();
  await Promise.all(all.map((q) => q.then((x) => x.stop()).catch(() => undefined)));
}
