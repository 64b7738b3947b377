import type { EntityManager } from 'typeorm';
import type { Outcome } from '../enums';
import { ScoringStreamState } from '../scoring-stream-state.entity';
import type { ClinicScope } from './clinic-scope';
import {
  POINTS_OF_TRAJECTORY,
  storedPredictionsOf,
  type StoredPoint,
  type StoredPrediction,
} from './stored-prediction';

export interface NewPrediction {
  segment: number;
  hoursPostInsemination: number;
  probability: number;
  inputs: Record<string, unknown>;
}

/** One embryo with a recorded outcome and the predictions one model gave it. */
export interface OutcomeWithPredictions {
  embryoId: string;
  clinicId: string;
  outcome: Exclude<Outcome, 'UNKNOWN'>;
  segments: number[];
  probabilities: number[];
  /** hours of culture at its recorded end (culture_ended_hpi, or culture_ended_at − insemination); null: not recorded */
  cultureEndedHpi: number | null;
  /** hpi of the embryo's newest frame inside the 7-day axis; null: no frames */
  latestFrameHpi: number | null;
}

export interface OutcomeSelection {
  modelId: string;
  /** one clinic's embryos; null: every clinic's */
  clinicId: string | null;
  /** cycles inseminated at or after this instant */
  from?: Date | null;
  /** cycles inseminated before this instant */
  to?: Date | null;
}

/**
 * Predictions (one per embryo, model and segment, written once) and the streaming state that
 * continues a trajectory. Both are written in one transaction per embryo.
 */
export class PredictionRepository {
  constructor(private readonly m: EntityManager) {}

  /**
   * Predictions of (embryo, model) pairs of embryos inside the scope, by segment. Hand-written SQL
   * that returns one row per pair with its points as one JSON array (one JSON.parse, in V8's native
   * parser, instead of hundreds of rows decoded column by column), into plain objects rather than
   * entities: TypeORM's hydration of these rows cost more CPU than the rest of the request's
   * database work (bench:api --profile). `inputs` and `runtime` travel as JSON text inside it and
   * are parsed only when asked for.
   */
  async ofPairs(
    scope: ClinicScope,
    pairs: ReadonlyArray<{ embryoId: string; modelVersionId: string }>,
  ): Promise<StoredPrediction[]> {
    const rows: Array<{ embryo_id: string; model_version_id: string; points: StoredPoint[] }> = await this.m.query(
      `SELECT p.embryo_id, p.model_version_id, ${POINTS_OF_TRAJECTORY} AS points
       FROM prediction p JOIN embryo e ON e.id = p.embryo_id
       WHERE ($1::boolean OR e.clinic_id = ANY($2::uuid[]))
         -- by id, not by scope: else the planner reads every embryo of the clinic (EXPLAIN in bench:api --explain)
         AND e.id = ANY($3::uuid[])
         AND (p.embryo_id, p.model_version_id) IN (SELECT * FROM unnest($3::uuid[], $4::uuid[]))
       GROUP BY p.embryo_id, p.model_version_id`,
      [scope.all, scope.clinicIds, pairs.map((p) => p.embryoId), pairs.map((p) => p.modelVersionId)],
    );
    return rows.flatMap((r) => storedPredictionsOf(r.embryo_id, r.model_version_id, r.points));
  }

  /**
   * Serialises writers of one (embryo, model) trajectory for the rest of the transaction, so two
   * workers that computed the same embryo write one after the other and the second finds the rows.
   */
  async lockTrajectory(embryoId: string, modelVersionId: string): Promise<void> {
    await this.m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `prediction:${embryoId}:${modelVersionId}`,
    ]);
  }

  /** Inserts the predictions of one embryo; rows that already exist stay as they are. Returns the segments written. */
  async insert(
    embryoId: string,
    modelVersionId: string,
    scoringRunId: string,
    predictions: NewPrediction[],
    runtime: Record<string, unknown> | null = null,
  ): Promise<number[]> {
    if (predictions.length === 0) return [];
    const rows: Array<{ segment: number }> = await this.m.query(
      `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs, scoring_run_id, runtime)
       SELECT $1, $2, s.segment, s.hpi, s.probability, s.inputs, $3, $8::jsonb
         FROM unnest($4::smallint[], $5::double precision[], $6::double precision[], $7::jsonb[]) AS s(segment, hpi, probability, inputs)
       ON CONFLICT (embryo_id, model_version_id, segment) DO NOTHING
       RETURNING segment`,
      [
        embryoId,
        modelVersionId,
        scoringRunId,
        predictions.map((p) => p.segment),
        predictions.map((p) => p.hoursPostInsemination),
        predictions.map((p) => p.probability),
        predictions.map((p) => JSON.stringify(p.inputs)),
        runtime === null ? null : JSON.stringify(runtime),
      ],
    );
    return rows.map((r) => Number(r.segment));
  }

  /** What the predictions table says a run wrote: exact even after crashed and retried jobs. */
  async countOfRun(runId: string): Promise<{ embryos: number; predictions: number }> {
    const rows: Array<{ embryos: string; predictions: string }> = await this.m.query(
      `SELECT count(DISTINCT embryo_id) AS embryos, count(*) AS predictions FROM prediction WHERE scoring_run_id = $1`,
      [runId],
    );
    return { embryos: Number(rows[0].embryos), predictions: Number(rows[0].predictions) };
  }

  /**
   * Embryos with a recorded outcome (BLASTOCYST / NOT_BLASTOCYST) in scope, each with the model's
   * predictions by segment (empty arrays when the model never scored it). The period filters on the
   * cycle's insemination time, or the embryo's creation for cycles without one.
   */
  async outcomesWithPredictions(selection: OutcomeSelection): Promise<OutcomeWithPredictions[]> {
    const rows: Array<{
      embryo_id: string;
      clinic_id: string;
      outcome: OutcomeWithPredictions['outcome'];
      segments: number[] | null;
      probabilities: number[] | null;
      culture_ended_hpi: number | null;
      latest_frame_hpi: number | null;
    }> = await this.m.query(
      `SELECT e.id AS embryo_id, e.clinic_id, e.outcome,
              COALESCE(e.culture_ended_hpi, EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision AS culture_ended_hpi,
              (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id AND f.hours_post_insemination < 168) AS latest_frame_hpi,
              array_agg(p.segment ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS segments,
              array_agg(p.probability ORDER BY p.segment) FILTER (WHERE p.id IS NOT NULL) AS probabilities
         FROM embryo e
         JOIN cycle c ON c.id = e.cycle_id
         LEFT JOIN prediction p ON p.embryo_id = e.id AND p.model_version_id = $1
        WHERE e.outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST')
          AND ($2::uuid IS NULL OR e.clinic_id = $2::uuid)
          AND ($3::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) >= $3::timestamptz)
          AND ($4::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) < $4::timestamptz)
        GROUP BY e.id, c.id
        ORDER BY e.id`,
      [selection.modelId, selection.clinicId, selection.from ?? null, selection.to ?? null],
    );
    return rows.map((r) => ({
      embryoId: r.embryo_id,
      clinicId: r.clinic_id,
      outcome: r.outcome,
      segments: (r.segments ?? []).map(Number),
      probabilities: (r.probabilities ?? []).map(Number),
      cultureEndedHpi:
        r.culture_ended_hpi === null || Number(r.culture_ended_hpi) < 0 ? null : Number(r.culture_ended_hpi),
      latestFrameHpi: r.latest_frame_hpi === null ? null : Number(r.latest_frame_hpi),
    }));
  }

  // ---- streaming state -----------------------------------------------------------------------

  /** The stored state after each embryo's first `segments` segments, for one model. */
  async streamStates(
    embryoIds: readonly string[],
    modelVersionId: string,
  ): Promise<Map<string, { segments: number; state: Buffer }>> {
    const rows = await this.m
      .getRepository(ScoringStreamState)
      .createQueryBuilder('s')
      .where('s.embryo_id = ANY(CAST(:ids AS uuid[])) AND s.model_version_id = :modelVersionId', {
        ids: embryoIds,
        modelVersionId,
      })
      .getMany();
    return new Map(rows.map((r) => [r.embryoId, { segments: Number(r.segments), state: r.state }]));
  }

  /** Keeps the state of the longest prefix: a late duplicate job never winds it back. */
  async saveStreamState(embryoId: string, modelVersionId: string, segments: number, state: Buffer): Promise<void> {
    await this.m.query(
      `INSERT INTO scoring_stream_state (embryo_id, model_version_id, segments, state) VALUES ($1, $2, $3, $4)
       ON CONFLICT (embryo_id, model_version_id) DO UPDATE SET segments = EXCLUDED.segments, state = EXCLUDED.state, updated_at = now()
         WHERE scoring_stream_state.segments < EXCLUDED.segments`,
      [embryoId, modelVersionId, segments, state],
    );
  }

  /** A finished trajectory needs no state (states are megabytes per embryo at full size). */
  async deleteStreamState(embryoId: string, modelVersionId: string): Promise<void> {
    await this.m.delete(ScoringStreamState, { embryoId, modelVersionId });
  }
}
