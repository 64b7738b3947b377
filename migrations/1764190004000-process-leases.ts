import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Liveness of the processes that hold work: every worker, scheduler and import keeps a lease row
 * whose `beat_at` it renews; the jobs a worker is running are listed under its lease, and an
 * import run names the lease of the process importing it. A lease not renewed in `lease_seconds`
 * belongs to a dead process: the sweeper (src/jobs/stale-run-sweeper.ts) releases its jobs to
 * another worker and closes its import runs, then deletes the lease.
 */
export class ProcessLeases1764190004000 implements MigrationInterface {
  name = 'ProcessLeases1764190004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_lease (
        id uuid PRIMARY KEY,
        role text NOT NULL,
        host text NOT NULL,
        pid integer NOT NULL,
        lease_seconds integer NOT NULL CHECK (lease_seconds > 0),
        started_at timestamptz NOT NULL DEFAULT now(),
        beat_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE leased_job (
        job_id uuid NOT NULL,
        attempt integer NOT NULL,
        queue text NOT NULL,
        lease_id uuid NOT NULL REFERENCES process_lease(id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, attempt)
      );
      CREATE INDEX ix_leased_job_lease ON leased_job (lease_id);
      ALTER TABLE import_run ADD COLUMN lease_id uuid REFERENCES process_lease(id) ON DELETE SET NULL;
      CREATE INDEX ix_import_run_running_lease ON import_run (lease_id) WHERE status = 'RUNNING';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_import_run_running_lease;
      ALTER TABLE import_run DROP COLUMN lease_id;
      DROP TABLE leased_job;
      DROP TABLE process_lease;
    `);
  }
}
