import type { EntityManager } from 'typeorm';

export interface NewProcessLease {
  id: string;
  role: string;
  host: string;
  pid: number;
  leaseSeconds: number;
}

/** A lease its process stopped renewing (see the process-leases migration). */
export interface ExpiredLease {
  id: string;
  role: string;
  host: string;
  pid: number;
  beatAt: Date;
}

export interface LeasedJob {
  jobId: string;
  attempt: number;
  queue: string;
}

/**
 * SQL condition: the lease row (columns of `process_lease`, optionally qualified by `alias`) is
 * expired. Shared by the sweeper's search and the import sources' scan claims, so both agree on
 * when a process is dead.
 */
export function leaseExpiredSql(alias = ''): string {
  const c = alias ? `${alias}.` : '';
  return `greatest(${c}beat_at, pg_postmaster_start_time()) < now() - make_interval(secs => ${c}lease_seconds)`;
}

/**
 * Leases of live processes and the work listed under them. A lease is expired when neither its
 * last beat nor the database's own start (a restart silences every process for a while) is
 * within its `lease_seconds`, both by the database's clock.
 */
export class ProcessLeaseRepository {
  constructor(private readonly m: EntityManager) {}

  /** Creates the lease, or renews it; false when it had to be created again (swept while this process was cut off). */
  async renew(lease: NewProcessLease): Promise<boolean> {
    const [row]: Array<{ renewed: boolean }> = await this.m.query(
      `INSERT INTO process_lease (id, role, host, pid, lease_seconds) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET beat_at = now()
       RETURNING (xmax <> 0) AS renewed`,
      [lease.id, lease.role, lease.host, lease.pid, lease.leaseSeconds],
    );
    return row.renewed;
  }

  /** Ends a lease of a process that stops cleanly (its leased jobs go with it). */
  async release(id: string): Promise<void> {
    await this.m.query(`DELETE FROM process_lease WHERE id = $1`, [id]);
  }

  async addJob(leaseId: string, job: LeasedJob): Promise<void> {
    await this.m.query(
      `INSERT INTO leased_job (job_id, attempt, queue, lease_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [job.jobId, job.attempt, job.queue, leaseId],
    );
  }

  async removeJob(job: Pick<LeasedJob, 'jobId' | 'attempt'>): Promise<void> {
    await this.m.query(`DELETE FROM leased_job WHERE job_id = $1 AND attempt = $2`, [job.jobId, job.attempt]);
  }

  /**
   * Expired leases, locked until the transaction ends (SKIP LOCKED: two sweepers never take the
   * same one).
   */
  async lockExpired(limit = 20): Promise<ExpiredLease[]> {
    const rows: Array<{ id: string; role: string; host: string; pid: number; beat_at: Date }> = await this.m.query(
      `SELECT id, role, host, pid, beat_at FROM process_lease
        WHERE ${leaseExpiredSql()}
        ORDER BY beat_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, role: r.role, host: r.host, pid: r.pid, beatAt: r.beat_at }));
  }

  async jobsOf(leaseId: string): Promise<LeasedJob[]> {
    const rows: Array<{ job_id: string; attempt: number; queue: string }> = await this.m.query(
      `SELECT job_id, attempt, queue FROM leased_job WHERE lease_id = $1 ORDER BY started_at`,
      [leaseId],
    );
    return rows.map((r) => ({ jobId: r.job_id, attempt: r.attempt, queue: r.queue }));
  }

  /**
   * Closes the import runs a dead process left RUNNING: FAILED, counts from the items it reported
   * and one more item saying why. Returns them for the audit log.
   */
  async closeImportRunsOf(leaseId: string, reason: string): Promise<ClosedImportRun[]> {
    const runs: Array<{ id: string; clinic_id: string; kind: string; source: string }> = await this.m.query(
      `SELECT id, clinic_id, kind, source FROM import_run WHERE lease_id = $1 AND status = 'RUNNING' FOR UPDATE`,
      [leaseId],
    );
    const closed: ClosedImportRun[] = [];
    for (const run of runs) {
      await this.m.query(`INSERT INTO import_run_item (import_run_id, item, status, reason) VALUES ($1, $2, $3, $4)`, [
        run.id,
        '(import)',
        'failed',
        reason,
      ]);
      const [counts]: Array<ClosedImportRun['counts']> = await this.m.query(
        `UPDATE import_run r SET status = 'FAILED', finished_at = now(),
                stored = c.stored, already_stored = c."alreadyStored", skipped = c.skipped, failed = c.failed
           FROM (SELECT count(*) FILTER (WHERE status = 'stored')::int AS stored,
                        count(*) FILTER (WHERE status = 'alreadyStored')::int AS "alreadyStored",
                        count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
                        count(*) FILTER (WHERE status = 'failed')::int AS failed
                   FROM import_run_item WHERE import_run_id = $1) c
          WHERE r.id = $1
          RETURNING c.stored, c."alreadyStored", c.skipped, c.failed`,
        [run.id],
      );
      closed.push({ id: run.id, clinicId: run.clinic_id, kind: run.kind, source: run.source, counts });
    }
    return closed;
  }
}

export interface ClosedImportRun {
  id: string;
  clinicId: string;
  kind: string;
  source: string;
  counts: { stored: number; alreadyStored: number; skipped: number; failed: number };
}
