import type { EntityManager } from 'typeorm';
import type { ScoringRun } from '../../entities';
import type { FrameRef } from '../sampling/timeline';

/**
 * The SQL of scoring, and nothing else. Every function takes an EntityManager (the data source's,
 * or a transaction's) and reads or writes whole batches: scoring N embryos costs a handful of
 * queries, never one per embryo or frame.
 */

export interface ActiveModelRow {
  modelVersionId: string;
  sha256: string;
}

export async function findActiveModel(m: EntityManager, clinicId: string): Promise<ActiveModelRow | null> {
  const rows: Array<{ id: string; sha256: string }> = await m.query(
    `SELECT mv.id, mv.sha256 FROM clinic_model cm JOIN model_version mv ON mv.id = cm.model_version_id
      WHERE cm.clinic_id = $1 AND cm.active`,
    [clinicId],
  );
  return rows[0] ? { modelVersionId: rows[0].id, sha256: rows[0].sha256 } : null;
}

/** A clinic's shadow model (scored silently, shown to admins only), if `modelVersionId` is one. */
export async function findShadowModel(m: EntityManager, clinicId: string, modelVersionId: string): Promise<ActiveModelRow | null> {
  const rows: Array<{ id: string; sha256: string }> = await m.query(
    `SELECT mv.id, mv.sha256 FROM clinic_model cm JOIN model_version mv ON mv.id = cm.model_version_id
      WHERE cm.clinic_id = $1 AND cm.model_version_id = $2 AND cm.shadow`,
    [clinicId, modelVersionId],
  );
  return rows[0] ? { modelVersionId: rows[0].id, sha256: rows[0].sha256 } : null;
}

/** Whether the clinic scores this model: it is the active one or a shadow one. */
export async function clinicScoresModel(m: EntityManager, clinicId: string, modelVersionId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM clinic_model WHERE clinic_id = $1 AND model_version_id = $2 AND (active OR shadow)`,
    [clinicId, modelVersionId],
  );
  return rows.length > 0;
}

export async function readModelOnnx(
  m: EntityManager,
  modelVersionId: string,
): Promise<{ onnx: Buffer; sha256: string; contract: Record<string, unknown> } | null> {
  const rows: Array<{ onnx: Buffer; sha256: string; contract: Record<string, unknown> }> = await m.query(
    `SELECT onnx, sha256, contract FROM model_version WHERE id = $1`,
    [modelVersionId],
  );
  return rows[0] ?? null;
}

export async function clinicIdsWithActiveModel(m: EntityManager): Promise<string[]> {
  const rows: Array<{ clinic_id: string }> = await m.query(`SELECT clinic_id FROM clinic_model WHERE active ORDER BY clinic_id`);
  return rows.map((r) => r.clinic_id);
}

/** Every (clinic, shadow model) pair: silent-mode models are scored nightly beside the active one. */
export async function shadowModelsByClinic(m: EntityManager): Promise<Array<{ clinicId: string; modelVersionId: string }>> {
  const rows: Array<{ clinic_id: string; model_version_id: string }> = await m.query(
    `SELECT clinic_id, model_version_id FROM clinic_model WHERE shadow ORDER BY clinic_id, model_version_id`,
  );
  return rows.map((r) => ({ clinicId: r.clinic_id, modelVersionId: r.model_version_id }));
}

/** What the completeness rule needs about one embryo, plus how many predictions the model has for it. */
export interface EmbryoProgressRow {
  embryoId: string;
  latestFrameHpi: number | null;
  cultureEndedHpi: number | null;
  predictedSegments: number;
}

export interface EmbryoScope {
  clinicId: string;
  cycleId?: string;
  embryoIds?: string[];
  /** Clinic-wide (nightly) scoring looks at ACTIVE cycles only; an explicit cycle or embryo list is scored whatever its status. */
  activeCyclesOnly: boolean;
}

/**
 * Per embryo in scope: its latest frame, when culture ended (in hpi: `culture_ended_hpi`, else
 * `culture_ended_at − insemination_at`) and how many predictions the model already stored.
 * One query over the clinic; the caller applies the completeness rule.
 */
export async function embryoProgress(m: EntityManager, scope: EmbryoScope, modelVersionId: string): Promise<EmbryoProgressRow[]> {
  const rows: Array<{ id: string; latest: number | null; ended: number | null; predicted: string }> = await m.query(
    `SELECT e.id,
            (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
            COALESCE(e.culture_ended_hpi,
                     EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision AS ended,
            (SELECT count(*) FROM prediction p WHERE p.embryo_id = e.id AND p.model_version_id = $2) AS predicted
       FROM embryo e JOIN cycle c ON c.id = e.cycle_id
      WHERE e.clinic_id = $1
        AND ($3::uuid IS NULL OR e.cycle_id = $3)
        AND ($4::uuid[] IS NULL OR e.id = ANY($4))
        AND (NOT $5 OR c.status = 'ACTIVE')
      ORDER BY e.id`,
    [scope.clinicId, modelVersionId, scope.cycleId ?? null, scope.embryoIds ?? null, scope.activeCyclesOnly],
  );
  return rows.map((r) => ({
    embryoId: r.id,
    latestFrameHpi: r.latest === null ? null : Number(r.latest),
    cultureEndedHpi: r.ended === null || Number(r.ended) < 0 ? null : Number(r.ended),
    predictedSegments: Number(r.predicted),
  }));
}

/** Progress rows plus the segments already predicted, for the embryos of one batch (their clinic checked). */
export async function embryoProgressWithSegments(
  m: EntityManager,
  clinicId: string,
  embryoIds: string[],
  modelVersionId: string,
): Promise<Array<EmbryoProgressRow & { segments: number[] }>> {
  const rows: Array<{ id: string; latest: number | null; ended: number | null; segments: number[] }> = await m.query(
    `SELECT e.id,
            (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
            COALESCE(e.culture_ended_hpi,
                     EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision AS ended,
            ARRAY(SELECT p.segment::int FROM prediction p WHERE p.embryo_id = e.id AND p.model_version_id = $3 ORDER BY 1) AS segments
       FROM embryo e JOIN cycle c ON c.id = e.cycle_id
      WHERE e.clinic_id = $1 AND e.id = ANY($2::uuid[])
      ORDER BY e.id`,
    [clinicId, embryoIds, modelVersionId],
  );
  return rows.map((r) => ({
    embryoId: r.id,
    latestFrameHpi: r.latest === null ? null : Number(r.latest),
    cultureEndedHpi: r.ended === null || Number(r.ended) < 0 ? null : Number(r.ended),
    predictedSegments: r.segments.length,
    segments: r.segments.map(Number),
  }));
}

/** Frame references (no pixels) of several embryos below an hpi bound, in one query. */
export async function frameRefs(m: EntityManager, embryoIds: string[], belowHpi: number): Promise<Map<string, FrameRef[]>> {
  const rows: Array<{ id: string; embryo_id: string; hpi: number; plane: number; sha256: string }> = await m.query(
    `SELECT id::text AS id, embryo_id, hours_post_insemination AS hpi, focal_plane_um AS plane, sha256
       FROM frame WHERE embryo_id = ANY($1::uuid[]) AND hours_post_insemination < $2
      ORDER BY embryo_id, hours_post_insemination, focal_plane_um`,
    [embryoIds, belowHpi],
  );
  const byEmbryo = new Map<string, FrameRef[]>(embryoIds.map((id) => [id, []]));
  for (const r of rows) byEmbryo.get(r.embryo_id)?.push({ frameId: r.id, hpi: Number(r.hpi), planeUm: r.plane, sha256: r.sha256.trim() });
  return byEmbryo;
}

/** Pixel bytes of several frame images, in one query. */
export async function frameImages(m: EntityManager, sha256s: string[]): Promise<Map<string, { bytes: Buffer; mime: string }>> {
  const rows: Array<{ sha256: string; bytes: Buffer; mime: string }> = await m.query(
    `SELECT sha256, bytes, mime FROM frame_image WHERE sha256 = ANY($1::char(64)[])`,
    [sha256s],
  );
  return new Map(rows.map((r) => [r.sha256.trim(), { bytes: r.bytes, mime: r.mime }]));
}

export interface NewPrediction {
  segment: number;
  hoursPostInsemination: number;
  probability: number;
  inputs: Record<string, unknown>;
}

/**
 * Serialises writers of one (embryo, model) trajectory for the rest of the transaction, so two
 * workers that computed the same embryo write one after the other and the second finds the rows.
 */
export async function lockTrajectory(m: EntityManager, embryoId: string, modelVersionId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`prediction:${embryoId}:${modelVersionId}`]);
}

/** Inserts the predictions of one embryo; rows that already exist stay as they are. Returns the segments written. */
export async function insertPredictions(
  m: EntityManager,
  embryoId: string,
  modelVersionId: string,
  scoringRunId: string,
  predictions: NewPrediction[],
): Promise<number[]> {
  if (predictions.length === 0) return [];
  const rows: Array<{ segment: number }> = await m.query(
    `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs, scoring_run_id)
     SELECT $1, $2, s.segment, s.hpi, s.probability, s.inputs, $3
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
    ],
  );
  return rows.map((r) => Number(r.segment));
}

// ---- scoring_run bookkeeping ----------------------------------------------------------------

export async function insertScoringRun(
  m: EntityManager,
  run: { id?: string; clinicId: string; modelVersionId: string | null; trigger: string; requestedBy: string | null; scope: Record<string, unknown> },
): Promise<ScoringRun | null> {
  const rows: ScoringRunRow[] = await m.query(
    `INSERT INTO scoring_run (id, clinic_id, model_version_id, trigger, requested_by, scope)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO NOTHING
     RETURNING *`,
    [run.id ?? null, run.clinicId, run.modelVersionId, run.trigger, run.requestedBy, JSON.stringify(run.scope)],
  );
  return rows[0] ? toScoringRun(rows[0]) : null;
}

export async function findScoringRun(m: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<ScoringRun | null> {
  const rows: ScoringRunRow[] = await m.query(`SELECT * FROM scoring_run WHERE id = $1 ${options.lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ? toScoringRun(rows[0]) : null;
}

export async function updateScoringRun(m: EntityManager, id: string, changes: Partial<Omit<ScoringRun, 'id' | 'createdAt'>>): Promise<void> {
  const columns: Record<string, string> = {
    clinicId: 'clinic_id', modelVersionId: 'model_version_id', trigger: 'trigger', requestedBy: 'requested_by', status: 'status',
    scope: 'scope', embryosScored: 'embryos_scored', predictionsWritten: 'predictions_written', embryosFailed: 'embryos_failed',
    durationMs: 'duration_ms', embryosPerSecond: 'embryos_per_second', executionProvider: 'execution_provider', error: 'error',
    details: 'details', startedAt: 'started_at', finishedAt: 'finished_at',
  };
  const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  const sets = entries.map(([key], i) => `${columns[key]} = $${i + 2}`);
  const values = entries.map(([key, v]) => (key === 'scope' || key === 'details' ? JSON.stringify(v) : v));
  await m.query(`UPDATE scoring_run SET ${sets.join(', ')} WHERE id = $1`, [id, ...values]);
}

/** What the predictions table says a run wrote: exact even after crashed and retried jobs. */
export async function countRunPredictions(m: EntityManager, runId: string): Promise<{ embryos: number; predictions: number }> {
  const rows: Array<{ embryos: string; predictions: string }> = await m.query(
    `SELECT count(DISTINCT embryo_id) AS embryos, count(*) AS predictions FROM prediction WHERE scoring_run_id = $1`,
    [runId],
  );
  return { embryos: Number(rows[0].embryos), predictions: Number(rows[0].predictions) };
}

interface ScoringRunRow {
  id: string; clinic_id: string | null; model_version_id: string | null; trigger: string; requested_by: string | null;
  status: ScoringRun['status']; scope: Record<string, unknown>; embryos_scored: number; predictions_written: number;
  embryos_failed: number; duration_ms: number | null; embryos_per_second: number | null; execution_provider: string | null;
  error: string | null; details: Record<string, unknown>; created_at: Date; started_at: Date | null; finished_at: Date | null;
}

function toScoringRun(r: ScoringRunRow): ScoringRun {
  return {
    id: r.id, clinicId: r.clinic_id, modelVersionId: r.model_version_id, trigger: r.trigger, requestedBy: r.requested_by,
    status: r.status, scope: r.scope, embryosScored: r.embryos_scored, predictionsWritten: r.predictions_written,
    embryosFailed: r.embryos_failed, durationMs: r.duration_ms, embryosPerSecond: r.embryos_per_second,
    executionProvider: r.execution_provider, error: r.error, details: r.details, createdAt: r.created_at,
    startedAt: r.started_at, finishedAt: r.finished_at,
  } as ScoringRun;
}

// ---- streaming state (migration 1764190000300) -----------------------------------------------

/** The stored state after each embryo's first `segments` segments, for one model. */
export async function streamStates(m: EntityManager, embryoIds: string[], modelVersionId: string): Promise<Map<string, { segments: number; state: Buffer }>> {
  const rows: Array<{ embryo_id: string; segments: number; state: Buffer }> = await m.query(
    `SELECT embryo_id, segments, state FROM scoring_stream_state WHERE embryo_id = ANY($1::uuid[]) AND model_version_id = $2`,
    [embryoIds, modelVersionId],
  );
  return new Map(rows.map((r) => [r.embryo_id, { segments: Number(r.segments), state: r.state }]));
}

/** Keeps the state of the longest prefix: a late duplicate job never winds it back. */
export async function saveStreamState(m: EntityManager, embryoId: string, modelVersionId: string, segments: number, state: Buffer): Promise<void> {
  await m.query(
    `INSERT INTO scoring_stream_state (embryo_id, model_version_id, segments, state) VALUES ($1, $2, $3, $4)
     ON CONFLICT (embryo_id, model_version_id) DO UPDATE SET segments = EXCLUDED.segments, state = EXCLUDED.state, updated_at = now()
       WHERE scoring_stream_state.segments < EXCLUDED.segments`,
    [embryoId, modelVersionId, segments, state],
  );
}

/** A finished trajectory needs no state (states are megabytes per embryo at full size). */
export async function deleteStreamState(m: EntityManager, embryoId: string, modelVersionId: string): Promise<void> {
  await m.query(`DELETE FROM scoring_stream_state WHERE embryo_id = $1 AND model_version_id = $2`, [embryoId, modelVersionId]);
}
