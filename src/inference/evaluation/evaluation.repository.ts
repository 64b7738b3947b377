import type { EntityManager } from 'typeorm';
import type { Outcome } from '../../entities';

/** One embryo with a recorded outcome and the predictions one model gave it. */
export interface OutcomeWithPredictions {
  embryoId: string;
  clinicId: string;
  outcome: Exclude<Outcome, 'UNKNOWN'>;
  segments: number[];
  probabilities: number[];
}

export interface EvaluationScope {
  modelId: string;
  clinicId?: string | null;
  /** cycles inseminated at or after this instant */
  from?: Date | null;
  /** cycles inseminated before this instant */
  to?: Date | null;
}

/**
 * Embryos with a recorded outcome (BLASTOCYST / NOT_BLASTOCYST) in scope, each with the model's
 * predictions by segment (empty arrays when the model never scored it). The period filters on the
 * cycle's insemination time, or the embryo's creation for cycles without one.
 */
export async function loadOutcomesWithPredictions(m: EntityManager, scope: EvaluationScope): Promise<OutcomeWithPredictions[]> {
  const rows: Array<{ embryo_id: string; clinic_id: string; outcome: OutcomeWithPredictions['outcome']; segments: number[] | null; probabilities: number[] | null }> = await m.query(
    `SELECT e.id AS embryo_id, e.clinic_id, e.outcome,
            array_agg(p.segment ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS segments,
            array_agg(p.probability ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS probabilities
       FROM embryo e
       JOIN cycle c ON c.id = e.cycle_id
       LEFT JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $1
      WHERE e.outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST')
        AND ($2::uuid IS NULL OR e.clinic_id = $2::uuid)
        AND ($3::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) >= $3::timestamptz)
        AND ($4::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) < $4::timestamptz)
      GROUP BY e.id
      ORDER BY e.id`,
    [scope.modelId, scope.clinicId ?? null, scope.from ?? null, scope.to ?? null],
  );
  return rows.map((r) => ({
    embryoId: r.embryo_id,
    clinicId: r.clinic_id,
    outcome: r.outcome,
    segments: (r.segments ?? []).map(Number),
    probabilities: (r.probabilities ?? []).map(Number),
  }));
}
