import type { EntityManager } from 'typeorm';
import type { CycleMethod } from '../../entities';

export interface PatientRecord {
  id: string;
  mrn: string;
  displayName: string | null;
}

/** SQL for the patients and cycles a cycle sheet creates or updates. */
export class CycleSheetRepository {
  /** Serialises rows that touch the same cycle across concurrent sheet imports. */
  async lockCycle(manager: EntityManager, clinicId: string, cycleExternalId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`cycle:${clinicId}:${cycleExternalId}`]);
  }

  async findPatient(manager: EntityManager, clinicId: string, mrn: string): Promise<PatientRecord | null> {
    const rows: PatientRecord[] = await manager.query(
      'SELECT id, mrn, display_name AS "displayName" FROM patient WHERE clinic_id = $1 AND mrn = $2', [clinicId, mrn],
    );
    return rows[0] ?? null;
  }

  async findPatientById(manager: EntityManager, id: string): Promise<PatientRecord | null> {
    const rows: PatientRecord[] = await manager.query('SELECT id, mrn, display_name AS "displayName" FROM patient WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  /** Creates the patient unless a concurrent import just did; returns the row either way. */
  async createPatient(manager: EntityManager, clinicId: string, mrn: string, displayName: string | null): Promise<{ patient: PatientRecord; created: boolean }> {
    const rows: { id: string }[] = await manager.query(
      'INSERT INTO patient (clinic_id, mrn, display_name) VALUES ($1, $2, $3) ON CONFLICT (clinic_id, mrn) DO NOTHING RETURNING id',
      [clinicId, mrn, displayName],
    );
    return { patient: (await this.findPatient(manager, clinicId, mrn))!, created: rows.length > 0 };
  }

  async renamePatient(manager: EntityManager, patientId: string, displayName: string): Promise<void> {
    await manager.query('UPDATE patient SET display_name = $2 WHERE id = $1', [patientId, displayName]);
  }

  async createCycle(
    manager: EntityManager,
    input: { clinicId: string; patientId: string; externalId: string; inseminationAt: Date; method: CycleMethod | null },
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO cycle (clinic_id, patient_id, external_id, insemination_at, method) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [input.clinicId, input.patientId, input.externalId, input.inseminationAt, input.method],
    );
    return rows[0].id;
  }

  async updateCycle(manager: EntityManager, cycleId: string, changes: { patientId: string; inseminationAt: Date; method: CycleMethod | null }): Promise<void> {
    await manager.query(
      'UPDATE cycle SET patient_id = $2, insemination_at = $3, method = COALESCE($4, method), updated_at = now() WHERE id = $1',
      [cycleId, changes.patientId, changes.inseminationAt, changes.method],
    );
  }

  /** Gives every hpi-only frame of the cycle's embryos its wall-clock time. */
  async fillAcquiredAtForCycle(manager: EntityManager, cycleId: string, inseminationAt: Date): Promise<number> {
    const [, affected]: [unknown[], number] = await manager.query(
      `UPDATE frame f SET acquired_at = $2::timestamptz + f.hours_post_insemination * interval '1 hour'
       FROM embryo e WHERE e.id = f.embryo_id AND e.cycle_id = $1 AND f.acquired_at IS NULL`,
      [cycleId, inseminationAt],
    );
    return affected;
  }
}
