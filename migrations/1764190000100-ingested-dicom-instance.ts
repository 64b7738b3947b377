import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DICOM SOPInstanceUIDs already imported, per clinic: a re-sent instance (another copy of the
 * file, a PACS re-push) is recognised before its pixels are decoded and reported `alreadyStored`.
 * Written in the same transaction as the instance's frames, so a row means "all frames stored".
 */
export class IngestedDicomInstance1764190000100 implements MigrationInterface {
  name = 'IngestedDicomInstance1764190000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingested_dicom_instance (
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        sop_instance_uid text NOT NULL CHECK (sop_instance_uid ~ '^[0-9.]{1,64}$'),
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        frame_count integer NOT NULL CHECK (frame_count > 0),
        import_run_id uuid REFERENCES import_run(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (clinic_id, sop_instance_uid)
      );
      CREATE INDEX ix_ingested_dicom_instance_embryo ON ingested_dicom_instance (embryo_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ingested_dicom_instance');
  }
}
