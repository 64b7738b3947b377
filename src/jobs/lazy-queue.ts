import type { BatchQueue } from '../inference/scoring/scoring.service';
import type { Logger } from '../platform/logger';
import { JobQueue } from './job-queue';

/**
 * A sending client of the job queue, opened on first use: the API enqueues scoring requests
 * without starting a queue per request, and starts even while the queue's schema is being created
 * by another process. A worker of the same process lends it its own queue instead.
 */
export class LazyJobQueue {
  private opened: Promise<JobQueue> | undefined;
  private adopted: JobQueue | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly log?: Logger,
  ) {}

  get(): Promise<JobQueue> {
    if (this.adopted) return Promise.resolve(this.adopted);
    if (!this.opened) {
      const opening = JobQueue.open(this.databaseUrl, {
        log: this.log,
        poolSize: 2,
        applicationName: 'amsnet-queue-sender',
      });
      opening.catch(() => {
        if (this.opened === opening) this.opened = undefined;
      });
      this.opened = opening;
    }
    return this.opened;
  }

  /** Sends through a queue this process runs anyway (its worker's); `release` hands sending back. */
  adopt(queue: JobQueue): void {
    this.adopted = queue;
  }

  release(queue: JobQueue): void {
    if (this.adopted === queue) this.adopted = undefined;
  }

  /** Stops the client this object opened (an adopted queue is stopped by its owner). */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await opened?.then((q) => q.stop()).catch(() => undefined);
  }
}

/** Scoring batches go to the `score-embryos` queue. */
export function scoringBatchQueue(queue: () => JobQueue): BatchQueue {
  return {
    async enqueueBatch(batch, options) {
      await queue().send('score-embryos', batch, { id: options.id, tx: options.tx });
    },
  };
}
