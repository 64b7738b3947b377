import type { EntityManager } from 'typeorm';

/** SQL for ingested_dicom_instance: which SOPInstanceUIDs a clinic already holds. */
export class DicomInstanceRepository {
  async isIngested(manager: EntityManager, clinicId: string, sopInstanceUid: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM ingested_dicom_instance WHERE clinic_id = $1 AND sop_instance_uid = $2', [clinicId, sopInstanceUid],
    );
    return rows.length > 0;
  }

  /** Serialises two imports of the same instance (two copies of one file in one push). */
  async lock(manager: EntityManager, clinicId: string, sopInstanceUid: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sop:${clinicId}:${sopInstanceUid}`]);
  }

  async record(
    manager: EntityManager,
    input: { clinicId: string; sopInstanceUid: string; embryoId: string; frameCount: number; importRunId: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ingested_dicom_instance (clinic_id, sop_instance_uid, embryo_id, frame_count, import_run_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (clinic_id, sop_instance_uid) DO NOTHING`,
      [input.clinicId, input.sopInstanceUid, input.embryoId, input.frameCount, input.importRunId],
    );
  }

  /** MRN of a cycle's patient, to check that a study's PatientID matches the cycle it maps to. */
  async patientMrnOfCycle(manager: EntityManager, cycleId: string): Promise<string | null> {
    const rows: { mrn: string }[] = await manager.query(
      'SELECT p.mrn FROM cycle c JOIN patient p ON p.id = c.patient_id WHERE c.id = $1', [cycleId],
    );
    return rows[0]?.mrn ?? null;
  }
}
