import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Import sources (folders on the server a clinic's imports run from on a schedule), the files each
 * source has seen (so a rescan recognises stored files by path, size and mtime without decoding
 * them), the link from an import run to its source, and device credentials for DICOMweb STOW-RS.
 */
export class ImportSources1764190005000 implements MigrationInterface {
  name = 'ImportSources1764190005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_source (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('FOLDER', 'PDB', 'DICOM', 'CYCLES')),
        path text NOT NULL CHECK (path LIKE '/%'),
        schedule text NOT NULL,
        score_after_import boolean NOT NULL DEFAULT true,
        paused boolean NOT NULL DEFAULT false,
        created_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_checked_at timestamptz,
        last_success_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
        last_error text,
        -- a lease: the scan in progress since then (another worker skips the source meanwhile)
        scan_started_at timestamptz,
        CONSTRAINT uq_import_source_clinic_name UNIQUE (clinic_id, name)
      );
      CREATE INDEX ix_import_source_clinic ON import_source (clinic_id);

      CREATE TABLE import_source_file (
        source_id uuid NOT NULL REFERENCES import_source(id) ON DELETE CASCADE,
        path text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        mtime_ms double precision NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'stored', 'failed', 'skipped')),
        PRIMARY KEY (source_id, path)
      );

      ALTER TABLE import_run ADD COLUMN import_source_id uuid REFERENCES import_source(id) ON DELETE SET NULL;
      CREATE INDEX ix_import_run_source ON import_run (import_source_id, started_at DESC) WHERE import_source_id IS NOT NULL;

      CREATE TABLE device_credential (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        token_hash char(64) NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE INDEX ix_device_credential_clinic ON device_credential (clinic_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE device_credential;
      DROP INDEX ix_import_run_source;
      ALTER TABLE import_run DROP COLUMN import_source_id;
      DROP TABLE import_source_file;
      DROP TABLE import_source;
    `);
  }
}
