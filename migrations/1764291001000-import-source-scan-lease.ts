import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A source's scan claim names the process lease of its holder, so the claim ends with the process:
 * once that lease is expired or gone (swept, released), the next tick takes the source over instead
 * of waiting for the job's two-hour expiry. No foreign key on purpose: a lease row that no longer
 * exists means exactly "the holder is gone". A claim without a lease (made before this migration)
 * still expires by its age.
 */
export class ImportSourceScanLease1764291001000 implements MigrationInterface {
  name = 'ImportSourceScanLease1764291001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_source ADD COLUMN scan_lease_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_source DROP COLUMN scan_lease_id`);
  }
}
