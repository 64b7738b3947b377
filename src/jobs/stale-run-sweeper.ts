import { AuditAction } from '../entities';
import type { DataStore, ExpiredLease, LeasedJob } from '../entities/repositories';
import type { Logger } from '../platform/logger';
import type { JobQueue } from './job-queue';
import type { JobName, JobPayloads } from './job-registry';

/** Told when the last attempt of a job died with its worker: the job is failed for good. */
export type GaveUpHandler = <K extends JobName>(
  name: K,
  job: { id: string; data: JobPayloads[K] },
  reason: string,
) => Promise<void>;

export interface StaleRunSweeperOptions {
  store: DataStore;
  queue: JobQueue;
  log: Logger;
  /** Seconds between sweeps. */
  intervalSeconds: number;
  onGaveUp: GaveUpHandler;
}

export interface SweepReport {
  leases: Array<{ lease: ExpiredLease; jobsReleased: string[]; jobsFailed: string[]; importRunsClosed: string[] }>;
}

/**
 * Hands on the work of processes that died (SIGKILL, OOM, a lost host): every `intervalSeconds`
 * it takes the expired process leases (src/jobs/process-lease.ts) and, for each,
 *  - fails the jobs the dead worker was running, so the queue retries them on another worker after
 *    the job's retry delay (or, after the last attempt, records the work as failed: the scoring run
 *    closes with the reason instead of staying RUNNING);
 *  - closes the import runs the dead process left RUNNING (FAILED, with the reason and the counts it
 *    reported; the embryos it committed stay, a rerun resumes);
 *  - deletes the lease.
 * Before that, it records the ends of this process's own jobs that a database restart made pg-boss
 * lose (JobQueue.confirmSettled). The dead leases are handled in one transaction per sweep, with the expired leases locked SKIP LOCKED: any number of
 * processes sweep, each dead lease is handled once, and a sweep that fails halfway is redone.
 */
export class StaleRunSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: StaleRunSweeperOptions) {}

  start(): this {
    this.timer = setInterval(() => void this.sweepLogged(), this.options.intervalSeconds * 1000);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One sweep (the timer's, or a test's). */
  async sweep(): Promise<SweepReport> {
    const { store } = this.options;
    // This process's own jobs first: an end that pg-boss lost to a database restart is recorded again.
    await this.options.queue.confirmSettled();
    const leases = await store.transaction(async (tx) => {
      const out: SweepReport['leases'] = [];
      for (const lease of await tx.processLeases.lockExpired()) {
        const reason = `the ${lease.role} process ${lease.host}:${lease.pid} stopped (last heartbeat ${lease.beatAt.toISOString()})`;
        const jobsReleased: string[] = [];
        const jobsFailed: string[] = [];
        for (const job of await tx.processLeases.jobsOf(lease.id)) {
          const outcome = await this.releaseJob(job, reason);
          if (outcome === 'retried') jobsReleased.push(job.jobId);
          if (outcome === 'failed') jobsFailed.push(job.jobId);
        }
        const closed = await tx.processLeases.closeImportRunsOf(
          lease.id,
          `interrupted: ${reason}; embryos committed before that are kept, rerun the import to resume`,
        );
        for (const run of closed)
          await tx.audit.append(
            { userId: null },
            {
              action: AuditAction.IMPORT_RUN,
              entity: 'import_run',
              entityId: run.id,
              clinicId: run.clinicId,
              detail: { kind: run.kind, source: run.source, status: 'FAILED', ...run.counts, interrupted: reason },
            },
          );
        await tx.processLeases.release(lease.id);
        out.push({ lease, jobsReleased, jobsFailed, importRunsClosed: closed.map((r) => r.id) });
      }
      return out;
    });
    for (const l of leases)
      this.options.log.warn(
        {
          lease: l.lease.id,
          process: `${l.lease.role} ${l.lease.host}:${l.lease.pid}`,
          lastHeartbeat: l.lease.beatAt,
          jobsReleased: l.jobsReleased,
          jobsFailed: l.jobsFailed,
          importRunsClosed: l.importRunsClosed,
        },
        'sweeper: a process stopped heartbeating; its work was handed on',
      );
    return { leases };
  }

  private async sweepLogged(): Promise<void> {
    if (this.running) return;
    const sweep = this.sweep();
    this.running = sweep;
    try {
      await sweep;
    } catch (error) {
      // the database may be restarting: the next sweep tries again
      this.options.log.warn({ err: { message: (error as Error).message } }, 'sweeper: sweep failed; retrying later');
    } finally {
      this.running = undefined;
    }
  }

  /** Fails the dead worker's attempt of `job` if it is still that attempt and still active. */
  private async releaseJob(job: LeasedJob, reason: string): Promise<'retried' | 'failed' | 'gone'> {
    const { queue } = this.options;
    const name = job.queue as JobName;
    const current = await queue.getJob(name, job.jobId);
    if (!current || current.state !== 'active' || current.retryCount !== job.attempt) return 'gone';
    await queue.failJob(name, job.jobId, reason);
    const after = await queue.getJob(name, job.jobId);
    if (after?.state !== 'failed') return 'retried';
    await this.options.onGaveUp(name, { id: job.jobId, data: after.data }, reason);
    return 'failed';
  }
}
