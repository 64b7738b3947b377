import PgBoss from 'pg-boss';
import type { SqlExecutor } from '../entities/repositories';
import type { Logger } from '../platform/logger';
import type { ProcessLease } from './process-lease';
import { processMetrics } from '../platform/metrics';
import {
  JOB_NAMES,
  JOB_POLICIES,
  type JobContext,
  type JobHandler,
  type JobName,
  type JobPayloads,
  type JobPolicy,
} from './job-registry';

export interface JobQueueOptions {
  log?: Logger;
  /** How often an idle worker looks for work (pg-boss also wakes it on a local send). Default 2 s. */
  pollingIntervalSeconds?: number;
  /** Run pg-boss maintenance (expiry of crashed jobs, archiving) from this process. */
  supervise?: boolean;
  /** Connections of the queue's own pool. */
  poolSize?: number;
  applicationName?: string;
  /** Replaces parts of the registry's retry policies (tests use short delays). */
  policies?: Partial<Record<JobName, Partial<JobPolicy>>>;
  /** Lists each running job under this process's lease, so a sweeper hands it on if the process dies. */
  lease?: ProcessLease;
}

export interface SendOptions {
  /** Enqueue inside this unit of work: the job exists if and only if the transaction commits. */
  tx?: { sql: SqlExecutor };
  /** Jobs with the same id are one job (the second send is a no-op). */
  id?: string;
  singletonKey?: string;
}

/**
 * Workers that start at the same moment create and update the same queues; PostgreSQL may then
 * end one of them with a deadlock (40P01) or serialisation failure (40001). The statement that lost
 * is simply run again, a moment later; the other process's change has committed by then.
 */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

/**
 * The Postgres-backed job queue (pg-boss, its own `pgboss` schema). Claims use SKIP LOCKED, so any
 * number of worker processes on any number of hosts share the work; a job whose worker dies is
 * expired and retried by the supervising process.
 */
export class JobQueue {
  /**
   * Jobs whose handler has ended, until their end is seen in the queue: pg-boss records it
   * (complete/fail) without awaiting, so a database restart at that moment loses it and leaves the
   * job "active" for its whole expiry. confirmSettled() records what was lost.
   */
  private readonly settled = new Map<
    string,
    { name: JobName; attempt: number; outcome: 'completed' | 'failed'; reason?: string; at: number }
  >();

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: JobQueueOptions,
  ) {}

  static async open(databaseUrl: string, options: JobQueueOptions = {}): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      max: options.poolSize ?? 4,
      application_name: options.applicationName ?? 'amsnet-queue',
      supervise: options.supervise ?? false,
      schedule: false, // cron lives in node-cron (src/jobs/scheduler.ts)
      migrate: true,
      maintenanceIntervalSeconds: 30,
    });
    boss.on('error', (error: Error & { code?: string }) => {
      // 57P01: the server is shutting down (the embedded database stops on the same signal as
      // this process); the queue reconnects or stops with us, so this is news, not an error.
      if (error.code === '57P01')
        options.log?.warn({ code: error.code, message: error.message }, 'job queue: database is shutting down');
      else
        options.log?.error(
          { err: { message: error.message, code: error.code, stack: error.stack } },
          'job queue error',
        );
    });
    await boss.start();
    try {
      for (const name of JOB_NAMES) {
        const policy = { ...JOB_POLICIES[name], ...options.policies?.[name] };
        // createQueue is a no-op for an existing queue; updateQueue applies a changed policy.
        await retryOnDeadlock(() => boss.createQueue(name, { name, ...policy }));
        await retryOnDeadlock(() => boss.updateQueue(name, { name, ...policy }));
      }
    } catch (error) {
      await boss.stop({ graceful: false }).catch(() => undefined);
      throw error;
    }
    return new JobQueue(boss, options);
  }

  /** Returns the job id, or null when a job with the same id already exists. */
  async send<K extends JobName>(name: K, data: JobPayloads[K], options: SendOptions = {}): Promise<string | null> {
    const db = options.tx ? transactionDb(options.tx.sql) : undefined;
    return this.boss.send(name, data as object, {
      ...(options.id ? { id: options.id } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(db ? { db } : {}),
    });
  }

  /** Claims and runs jobs of one kind, one at a time per worker, until stop(). */
  async work<K extends JobName>(
    name: K,
    handler: JobHandler<JobPayloads[K]>,
    options: { pollingIntervalSeconds?: number } = {},
  ): Promise<void> {
    await this.boss.work<JobPayloads[K]>(
      name,
      {
        batchSize: 1,
        includeMetadata: true,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? this.options.pollingIntervalSeconds ?? 2,
      },
      async ([job]) => {
        const context: JobContext<JobPayloads[K]> = {
          id: job.id,
          name,
          data: job.data,
          retryCount: job.retryCount,
          retryLimit: job.retryLimit,
        };
        const leased = { jobId: job.id, attempt: job.retryCount, queue: name };
        try {
          await this.options.lease?.holdJob(leased);
          const result = await handler(context);
          processMetrics().jobsCompleted.inc({ queue: name, outcome: 'succeeded' });
          this.settled.set(job.id, { name, attempt: job.retryCount, outcome: 'completed', at: Date.now() });
          return result;
        } catch (error) {
          processMetrics().jobsCompleted.inc({ queue: name, outcome: 'failed' });
          this.settled.set(job.id, {
            name,
            attempt: job.retryCount,
            outcome: 'failed',
            reason: (error as Error).message,
            at: Date.now(),
          });
          // Logged here too, so a failure before a handler's own logging (a lost connection) is never silent.
          this.options.log?.warn(
            { job: job.id, queue: name, attempt: job.retryCount + 1, err: { message: (error as Error).message } },
            'job failed; the queue retries it unless it was the last attempt',
          );
          throw error;
        } finally {
          await this.options.lease?.dropJob(leased).catch((error: Error) => {
            this.options.log?.warn({ err: { message: error.message }, job: job.id }, 'job lease: could not drop');
          });
        }
      },
    );
  }

  async getJob<K extends JobName>(name: K, id: string) {
    return this.boss.getJobById<JobPayloads[K]>(name, id, { includeArchive: true });
  }

  /**
   * Makes sure the end of every job this process ran is recorded in the queue: a job still active
   * in the attempt this process ran (its completion was lost to a database restart) is completed or
   * failed now, and its lease entry dropped. Jobs ended less than `graceMs` ago are left to pg-boss.
   * Returns how many lost ends were recorded. Throws when the database is still away (tried again later).
   */
  async confirmSettled(graceMs = 2000): Promise<number> {
    let recorded = 0;
    for (const [id, end] of [...this.settled]) {
      if (Date.now() - end.at < graceMs) continue;
      const job = await this.boss.getJobById(end.name, id);
      if (job?.state === 'active' && job.retryCount === end.attempt) {
        if (end.outcome === 'completed') await this.boss.complete(end.name, id);
        else await this.boss.fail(end.name, id, { reason: end.reason });
        recorded++;
        this.options.log?.warn(
          { job: id, queue: end.name, outcome: end.outcome },
          'job end lost to a database outage: recorded again',
        );
      }
      await this.options.lease?.dropJob({ jobId: id, attempt: end.attempt, queue: end.name });
      this.settled.delete(id);
    }
    return recorded;
  }

  /** Fails one job now (the sweeper's release of a dead worker's job): retried after its delay, or failed for good. */
  async failJob(name: JobName, id: string, reason: string): Promise<void> {
    await this.boss.fail(name, id, { reason });
  }

  /** Stops workers (waiting for running jobs up to `timeoutMs`) and closes the pool. */
  async stop(timeoutMs = 30_000): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}

/** pg-boss runs its insert through the caller's transaction (TypeORM returns INSERT … RETURNING rows as an array). */
function transactionDb(sql: SqlExecutor): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: (await sql.query(text, values)) as object[] }) };
}
