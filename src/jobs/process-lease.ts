import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataStore, LeasedJob } from '../entities/repositories';
import type { Logger } from '../platform/logger';

export interface ProcessLeaseOptions {
  /** What the process does: worker, scheduler, import… (for the logs and the sweeper's reasons). */
  role: string;
  /** Seconds without a renewal after which the process counts as dead. */
  leaseSeconds: number;
  log?: Logger;
}

/**
 * This process's lease (table process_lease): renewed every third of `leaseSeconds` while the
 * process lives, so a sweeper in any other process can tell when it died (SIGKILL, OOM, a lost
 * host) and hand its work on. A renewal that fails (database restarting) is logged and tried again
 * at the next beat; a lease swept while this process was cut off is created again.
 */
export class ProcessLease {
  readonly id = randomUUID();
  readonly host = hostname();
  readonly pid = process.pid;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private failing = false;

  private constructor(
    private readonly store: DataStore,
    private readonly options: ProcessLeaseOptions,
  ) {}

  /** Takes the lease (throws if the database cannot be reached now) and starts renewing it. */
  static async take(store: DataStore, options: ProcessLeaseOptions): Promise<ProcessLease> {
    const lease = new ProcessLease(store, options);
    await lease.renew();
    const everyMs = Math.max(250, (options.leaseSeconds * 1000) / 3);
    lease.timer = setInterval(() => void lease.beat(), everyMs);
    lease.timer.unref();
    return lease;
  }

  get description(): string {
    return `${this.options.role} ${this.host}:${this.pid}`;
  }

  /** Lists a job this process runs under its lease (the sweeper releases it if the process dies). */
  async holdJob(job: LeasedJob): Promise<void> {
    await this.store.processLeases.addJob(this.id, job);
  }

  async dropJob(job: LeasedJob): Promise<void> {
    await this.store.processLeases.removeJob(job);
  }

  /** Stops renewing and deletes the lease (clean shutdown: nothing of ours is left to sweep). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    await this.store.processLeases.release(this.id).catch((error: Error) => {
      this.options.log?.warn({ err: { message: error.message }, lease: this.id }, 'process lease: release failed');
    });
  }

  /** False when the lease had to be created again. */
  private renew(): Promise<boolean> {
    const { role, leaseSeconds } = this.options;
    return this.store.processLeases.renew({ id: this.id, role, host: this.host, pid: this.pid, leaseSeconds });
  }

  private beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = (async () => {
      try {
        if (!(await this.renew()))
          this.options.log?.warn(
            { lease: this.id },
            'process lease: expired while the database was unreachable; taken again',
          );
        if (this.failing) this.options.log?.info({ lease: this.id }, 'process lease: renewed again');
        this.failing = false;
      } catch (error) {
        if (!this.failing)
          this.options.log?.warn(
            { err: { message: (error as Error).message }, lease: this.id },
            'process lease: renewal failed; retrying',
          );
        this.failing = true;
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }
}
