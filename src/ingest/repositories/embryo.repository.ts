import type { EntityManager } from 'typeorm';
import { UNASSIGNED_CYCLE_EXTERNAL_ID, type Outcome } from '../../entities';

export interface EmbryoRecord {
  id: string;
  cycleId: string;
  cycleExternalId: string;
  inseminationAt: Date | null;
  outcome: Outcome;
  outcomeSource: string | null;
}

export interface CycleRecord {
  id: string;
  externalId: string;
  patientId: string | null;
  inseminationAt: Date | null;
  method: string | null;
}

export interface PhaseRow {
  phase: string;
  firstRun: number | null;
  lastRun: number | null;
  startHpi: number | null;
  endHpi: number | null;
}

/** Where an outcome came from when an import's annotations set it (embryo.outcome_source). */
export const ANNOTATIONS_OUTCOME_SOURCE = 'annotations';

/** SQL for the embryos and cycles that imports create, find, move and annotate. */
export class EmbryoRepository {
  /**
   * Serialises work on one embryo external id across concurrent imports until the transaction
   * ends, so two imports of the same embryo never race to create it.
   */
  async lockExternalId(manager: EntityManager, clinicId: string, externalId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`embryo:${clinicId}:${externalId}`]);
  }

  async findEmbryo(manager: EntityManager, clinicId: string, externalId: string): Promise<EmbryoRecord | null> {
    const rows: EmbryoRecord[] = await manager.query(
      `SELECT e.id, e.cycle_id AS "cycleId", c.external_id AS "cycleExternalId", c.insemination_at AS "inseminationAt",
              e.outcome, e.outcome_source AS "outcomeSource"
       FROM embryo e JOIN cycle c ON c.id = e.cycle_id
       WHERE e.clinic_id = $1 AND e.external_id = $2`,
      [clinicId, externalId],
    );
    return rows[0] ?? null;
  }

  async findCycle(manager: EntityManager, clinicId: string, externalId: string): Promise<CycleRecord | null> {
    const rows: CycleRecord[] = await manager.query(
      `SELECT id, external_id AS "externalId", patient_id AS "patientId", insemination_at AS "inseminationAt", method
       FROM cycle WHERE clinic_id = $1 AND external_id = $2`,
      [clinicId, externalId],
    );
    return rows[0] ?? null;
  }

  /** The clinic's `unassigned` cycle (no patient, no insemination time), created on first use. */
  async ensureUnassignedCycle(manager: EntityManager, clinicId: string): Promise<CycleRecord> {
    await manager.query(
      `INSERT INTO cycle (clinic_id, patient_id, external_id, insemination_at, method)
       VALUES ($1, NULL, $2, NULL, NULL) ON CONFLICT (clinic_id, external_id) DO NOTHING`,
      [clinicId, UNASSIGNED_CYCLE_EXTERNAL_ID],
    );
    return (await this.findCycle(manager, clinicId, UNASSIGNED_CYCLE_EXTERNAL_ID))!;
  }

  async createEmbryo(manager: EntityManager, input: { clinicId: string; cycleId: string; label: string; externalId: string }): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      'INSERT INTO embryo (clinic_id, cycle_id, label, external_id) VALUES ($1, $2, $3, $4) RETURNING id',
      [input.clinicId, input.cycleId, input.label, input.externalId],
    );
    return rows[0].id;
  }

  async moveEmbryo(manager: EntityManager, embryoId: string, cycleId: string, label: string | null): Promise<void> {
    await manager.query('UPDATE embryo SET cycle_id = $2, label = COALESCE($3, label) WHERE id = $1', [embryoId, cycleId, label]);
  }

  async relabelEmbryo(manager: EntityManager, embryoId: string, label: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await manager.query(
      'UPDATE embryo SET label = $2 WHERE id = $1 AND label <> $2', [embryoId, label],
    );
    return affected > 0;
  }

  /** Inserts or corrects phases; returns how many rows changed (0 on an identical re-import). */
  async upsertPhases(manager: EntityManager, embryoId: string, phases: PhaseRow[]): Promise<number> {
    if (phases.length === 0) return 0;
    const params: unknown[] = [embryoId];
    const values = phases.map((p, i) => {
      params.push(p.phase, p.firstRun, p.lastRun, p.startHpi, p.endHpi);
      const o = 1 + i * 5;
      return `($1, $${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5})`;
    });
    const rows: unknown[] = await manager.query(
      `INSERT INTO embryo_phase (embryo_id, phase, first_run, last_run, start_hpi, end_hpi) VALUES ${values.join(', ')}
       ON CONFLICT (embryo_id, phase) DO UPDATE SET first_run = EXCLUDED.first_run, last_run = EXCLUDED.last_run,
         start_hpi = EXCLUDED.start_hpi, end_hpi = EXCLUDED.end_hpi
       WHERE (embryo_phase.first_run, embryo_phase.last_run, embryo_phase.start_hpi, embryo_phase.end_hpi)
         IS DISTINCT FROM (EXCLUDED.first_run, EXCLUDED.last_run, EXCLUDED.start_hpi, EXCLUDED.end_hpi)
       RETURNING 1`,
      params,
    );
    return rows.length;
  }

  /**
   * Records the outcome the annotations imply, unless a person recorded one: a user's outcome
   * always wins over an import's. Returns true when the row changed.
   */
  async setOutcomeFromAnnotations(manager: EntityManager, embryoId: string, outcome: Outcome): Promise<boolean> {
    const [, affected]: [unknown[], number] = await manager.query(
      `UPDATE embryo SET outcome = $2, outcome_source = $3, outcome_recorded_at = now(), outcome_recorded_by = NULL
       WHERE id = $1 AND (outcome_source IS NULL OR outcome_source = $3) AND outcome_recorded_by IS NULL
         AND (outcome <> $2 OR outcome_source IS DISTINCT FROM $3)`,
      [embryoId, outcome, ANNOTATIONS_OUTCOME_SOURCE],
    );
    return affected > 0;
  }
}
