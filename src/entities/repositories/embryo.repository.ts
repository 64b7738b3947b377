import type { EntityManager } from 'typeorm';
import { EmbryoPhase } from '../embryo-phase.entity';
import { Embryo } from '../embryo.entity';
import type { Outcome } from '../enums';
import { FrameImage } from '../frame-image.entity';
import { Frame } from '../frame.entity';
import { asEntities, entityFromRow, selectList } from './entity-rows';
import { scopeCondition, scopedQuery, toPage, type ClinicScope, type Page } from './clinic-scope';
import {
  POINTS_OF_TRAJECTORY,
  storedPredictionsOf,
  type StoredPoint,
  type StoredPrediction,
} from './stored-prediction';

/** An embryo as imports see it: with its cycle's external id and insemination time. */
export interface PlacedEmbryo {
  id: string;
  cycleId: string;
  cycleExternalId: string;
  inseminationAt: Date | null;
  outcome: Outcome;
  outcomeSource: string | null;
}

export interface PhaseRow {
  phase: string;
  firstRun: number | null;
  lastRun: number | null;
  startHpi: number | null;
  endHpi: number | null;
}

/** One frame row to insert, with its normalised image. */
export interface NewFrame {
  embryoId: string;
  acquiredAt: Date | null;
  hoursPostInsemination: number;
  focalPlaneUm: number;
  run: number | null;
  source: string;
  image: { sha256: string; bytes: Buffer; mime: string; width: number; height: number };
}

/** A stored frame without its pixels: what sampling needs. */
export interface FrameRef {
  frameId: string;
  hpi: number;
  planeUm: number;
  sha256: string;
}

/** What the completeness rule needs about one embryo, plus how many predictions a model has for it. */
export interface EmbryoProgress {
  embryoId: string;
  latestFrameHpi: number | null;
  cultureEndedHpi: number | null;
  predictedSegments: number;
}

export interface EmbryoSelection {
  clinicId: string;
  cycleId?: string;
  embryoIds?: string[];
  /** Clinic-wide (nightly) scoring looks at ACTIVE cycles only; an explicit cycle or embryo list is scored whatever its status. */
  activeCyclesOnly: boolean;
}

/** An embryo that goes into a dataset: its recorded outcome, its patient and how long it was observed. */
export interface ExportableEmbryo {
  embryoId: string;
  label: string;
  externalId: string;
  cycleExternalId: string;
  /** null for embryos still waiting in the clinic's `unassigned` cycle */
  patientId: string | null;
  outcome: 'BLASTOCYST' | 'NOT_BLASTOCYST';
  latestFrameHpi: number | null;
  cultureEndedHpi: number | null;
}

/** Where an outcome came from when an import's annotations set it (embryo.outcome_source). */
export const ANNOTATIONS_OUTCOME_SOURCE = 'annotations';

const FRAME_COLUMNS = 9;

/** Hours of culture when the embryo's culture ended, from whichever of hpi and wall-clock time the source gave. */
const CULTURE_ENDED_HPI_SQL =
  'COALESCE(e.culture_ended_hpi, EXTRACT(EPOCH FROM (e.culture_ended_at - c.insemination_at)) / 3600.0)::double precision';

const hours = (value: number | null): number | null => (value === null ? null : Number(value));
const endedHours = (value: number | null): number | null =>
  value === null || Number(value) < 0 ? null : Number(value);

/**
 * Embryos with their annotated phases, frames and content-addressed frame images. Frame writes are
 * multi-row INSERT … ON CONFLICT DO NOTHING and scoring reads whole batches: a handful of queries
 * for N embryos, never one per embryo or frame.
 */
export class EmbryoRepository {
  constructor(private readonly m: EntityManager) {}

  // ---- reads of the API (scoped) -------------------------------------------------------------

  embryosIn(scope: ClinicScope, ids: readonly string[]): Promise<Embryo[]> {
    return scopedQuery(this.m, Embryo, 'e', scope).andWhere('e.id = ANY(CAST(:ids AS uuid[]))', { ids }).getMany();
  }

  /** Embryos of several cycles, by label. */
  async embryosOfCycles(scope: ClinicScope, cycleIds: readonly string[]): Promise<Embryo[]> {
    const rows: object[] = await this.m.query(
      `SELECT ${selectList(this.m, Embryo, 'e')} FROM embryo e
       WHERE ($1::boolean OR e.clinic_id = ANY($2::uuid[])) AND e.cycle_id = ANY($3::uuid[])
       ORDER BY e.label, e.id`,
      [scope.all, scope.clinicIds, cycleIds],
    );
    return asEntities(Embryo, rows);
  }

  /**
   * `embryosOfCycles` for (cycle, model) pairs, each embryo with its trajectory of that model (by
   * segment; [] when unscored), in one statement: a ranked cycle view needs every embryo's scores,
   * and reading embryos and predictions apart was one more round trip per view.
   */
  async embryosOfCyclesWithTrajectories(
    scope: ClinicScope,
    pairs: ReadonlyArray<{ cycleId: string; modelVersionId: string }>,
  ): Promise<Array<{ embryo: Embryo; modelVersionId: string; predictions: StoredPrediction[] }>> {
    const rows: Array<Record<string, unknown>> = await this.m.query(
      `SELECT k.model_version_id AS "trajectory.modelVersionId", t.points AS "trajectory.points",
              ${selectList(this.m, Embryo, 'e')}
       FROM unnest($3::uuid[], $4::uuid[]) AS k(cycle_id, model_version_id)
       JOIN embryo e ON e.cycle_id = k.cycle_id
       LEFT JOIN LATERAL (
         SELECT ${POINTS_OF_TRAJECTORY} AS points FROM prediction p
         WHERE p.embryo_id = e.id AND p.model_version_id = k.model_version_id
       ) t ON true
       WHERE ($1::boolean OR e.clinic_id = ANY($2::uuid[]))
       ORDER BY e.label, e.id`,
      [scope.all, scope.clinicIds, pairs.map((p) => p.cycleId), pairs.map((p) => p.modelVersionId)],
    );
    return rows.map((row) => {
      const modelVersionId = row['trajectory.modelVersionId'] as string;
      const points = (row['trajectory.points'] as StoredPoint[] | null) ?? [];
      const embryo = entityFromRow(Embryo, row)!;
      return { embryo, modelVersionId, predictions: storedPredictionsOf(embryo.id, modelVersionId, points) };
    });
  }

  phasesOf(scope: ClinicScope, embryoIds: readonly string[]): Promise<EmbryoPhase[]> {
    const [condition, params] = scopeCondition('e.clinic_id', scope);
    return this.m
      .getRepository(EmbryoPhase)
      .createQueryBuilder('ph')
      .innerJoin(Embryo, 'e', 'e.id = ph.embryo_id')
      .where(condition, params)
      .andWhere('ph.embryo_id = ANY(CAST(:ids AS uuid[]))', { ids: embryoIds })
      .orderBy('ph.start_hpi', 'ASC', 'NULLS LAST')
      .addOrderBy('ph.phase')
      .getMany();
  }

  /** Frames of one embryo by time, then focal plane, after the frame `afterId`. */
  async framePage(
    embryoId: string,
    focalPlaneUm: number | undefined,
    first: number,
    afterId: string | undefined,
  ): Promise<Page<Frame>> {
    const query = this.m.getRepository(Frame).createQueryBuilder('f').where('f.embryo_id = :embryoId', { embryoId });
    if (focalPlaneUm !== undefined) query.andWhere('f.focal_plane_um = :plane', { plane: focalPlaneUm });
    if (afterId) {
      // The cursor is looked up in the same embryo: another embryo's frame is no position (as a random id).
      query.andWhere(
        '(f.hours_post_insemination, f.focal_plane_um, f.id) > (SELECT a.hours_post_insemination, a.focal_plane_um, a.id FROM frame a WHERE a.id = :afterId AND a.embryo_id = :embryoId)',
        { afterId },
      );
    }
    const rows = await query
      .orderBy('f.hours_post_insemination')
      .addOrderBy('f.focal_plane_um')
      .addOrderBy('f.id')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }

  /** A frame inside the scope and the clinic of its embryo (frames carry no clinic id of their own). */
  async frameIn(scope: ClinicScope, id: string): Promise<{ frame: Frame; clinicId: string } | null> {
    const [condition, params] = scopeCondition('e.clinic_id', scope);
    const row = await this.m
      .getRepository(Frame)
      .createQueryBuilder('f')
      .innerJoin(Embryo, 'e', 'e.id = f.embryo_id')
      .addSelect('e.clinic_id', 'embryo_clinic_id')
      .where(condition, params)
      .andWhere('f.id = :id', { id })
      .getRawAndEntities();
    const frame = row.entities[0];
    return frame ? { frame, clinicId: (row.raw[0] as { embryo_clinic_id: string }).embryo_clinic_id } : null;
  }

  image(sha256: string): Promise<FrameImage | null> {
    return this.m.getRepository(FrameImage).findOneBy({ sha256 });
  }

  /** Pixel bytes of several frame images, in one query. */
  async images(sha256s: readonly string[]): Promise<Map<string, { bytes: Buffer; mime: string }>> {
    const rows: Array<{ sha256: string; bytes: Buffer; mime: string }> = await this.m.query(
      `SELECT sha256, bytes, mime FROM frame_image WHERE sha256 = ANY($1::char(64)[])`,
      [sha256s],
    );
    return new Map(rows.map((r) => [r.sha256.trim(), { bytes: r.bytes, mime: r.mime }]));
  }

  /** The clinic of an embryo, whoever owns it (operator tools only). */
  async clinicOfEmbryo(id: string): Promise<string | null> {
    return (
      (await this.m.getRepository(Embryo).findOne({ where: { id }, select: { clinicId: true } }))?.clinicId ?? null
    );
  }

  // ---- outcome -------------------------------------------------------------------------------

  /** The embryo, locked for the rest of the transaction; null when it is not one of the clinic's. */
  lockEmbryo(clinicId: string, id: string): Promise<Embryo | null> {
    return this.m
      .getRepository(Embryo)
      .createQueryBuilder('e')
      .setLock('pessimistic_write')
      .where('e.id = :id AND e.clinic_id = :clinicId', { id, clinicId })
      .getOne();
  }

  saveEmbryo(embryo: Embryo): Promise<Embryo> {
    return this.m.save(Embryo, embryo);
  }

  /**
   * Records the outcome the annotations imply, unless a person recorded one: a user's outcome
   * always wins over an import's. Returns true when the row changed.
   */
  async setOutcomeFromAnnotations(embryoId: string, outcome: Outcome): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.m.query(
      `UPDATE embryo SET outcome = $2, outcome_source = $3, outcome_recorded_at = now(), outcome_recorded_by = NULL
       WHERE id = $1 AND (outcome_source IS NULL OR outcome_source = $3) AND outcome_recorded_by IS NULL
         AND (outcome <> $2 OR outcome_source IS DISTINCT FROM $3)`,
      [embryoId, outcome, ANNOTATIONS_OUTCOME_SOURCE],
    );
    return affected > 0;
  }

  // ---- imports -------------------------------------------------------------------------------

  /**
   * Serialises work on one embryo external id across concurrent imports until the transaction
   * ends, so two imports of the same embryo never race to create it.
   */
  async lockExternalId(clinicId: string, externalId: string): Promise<void> {
    await this.m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`embryo:${clinicId}:${externalId}`]);
  }

  async byExternalId(clinicId: string, externalId: string): Promise<PlacedEmbryo | null> {
    const rows: PlacedEmbryo[] = await this.m.query(
      `SELECT e.id, e.cycle_id AS "cycleId", c.external_id AS "cycleExternalId", c.insemination_at AS "inseminationAt",
              e.outcome, e.outcome_source AS "outcomeSource"
       FROM embryo e JOIN cycle c ON c.id = e.cycle_id
       WHERE e.clinic_id = $1 AND e.external_id = $2`,
      [clinicId, externalId],
    );
    return rows[0] ?? null;
  }

  async createEmbryo(input: { clinicId: string; cycleId: string; label: string; externalId: string }): Promise<string> {
    const rows: { id: string }[] = await this.m.query(
      'INSERT INTO embryo (clinic_id, cycle_id, label, external_id) VALUES ($1, $2, $3, $4) RETURNING id',
      [input.clinicId, input.cycleId, input.label, input.externalId],
    );
    return rows[0].id;
  }

  async moveEmbryo(embryoId: string, cycleId: string, label: string | null): Promise<void> {
    await this.m.query('UPDATE embryo SET cycle_id = $2, label = COALESCE($3, label) WHERE id = $1', [
      embryoId,
      cycleId,
      label,
    ]);
  }

  async relabelEmbryo(embryoId: string, label: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.m.query(
      'UPDATE embryo SET label = $2 WHERE id = $1 AND label <> $2',
      [embryoId, label],
    );
    return affected > 0;
  }

  /** Inserts or corrects phases; returns how many rows changed (0 on an identical re-import). */
  async upsertPhases(embryoId: string, phases: PhaseRow[]): Promise<number> {
    if (phases.length === 0) return 0;
    const params: unknown[] = [embryoId];
    const values = phases.map((p, i) => {
      params.push(p.phase, p.firstRun, p.lastRun, p.startHpi, p.endHpi);
      const o = 1 + i * 5;
      return `($1, $${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5})`;
    });
    const rows: unknown[] = await this.m.query(
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

  /** `hpi|plane` keys of the embryo's stored frames, so a rerun skips them without decoding. */
  async frameKeys(embryoId: string): Promise<Set<string>> {
    const rows: { hpi: number; plane: number }[] = await this.m.query(
      'SELECT hours_post_insemination AS hpi, focal_plane_um AS plane FROM frame WHERE embryo_id = $1',
      [embryoId],
    );
    return new Set(rows.map((r) => frameKey(r.hpi, r.plane)));
  }

  /** Inserts images then frames; returns how many frame rows were new. Buffers travel as binary parameters. */
  async insertFrames(rows: NewFrame[]): Promise<number> {
    if (rows.length === 0) return 0;
    const images = new Map<string, NewFrame['image']>();
    for (const r of rows) images.set(r.image.sha256, r.image);
    const imageParams: unknown[] = [];
    const imageValues = [...images.values()].map((img, i) => {
      imageParams.push(img.sha256, img.bytes, img.mime);
      return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`;
    });
    await this.m.query(
      `INSERT INTO frame_image (sha256, bytes, mime) VALUES ${imageValues.join(', ')} ON CONFLICT (sha256) DO NOTHING`,
      imageParams,
    );
    const frameParams: unknown[] = [];
    const frameValues = rows.map((r, i) => {
      frameParams.push(
        r.embryoId,
        r.acquiredAt,
        r.hoursPostInsemination,
        r.focalPlaneUm,
        r.run,
        r.image.width,
        r.image.height,
        r.image.sha256,
        r.source,
      );
      const o = i * FRAME_COLUMNS;
      return `(${Array.from({ length: FRAME_COLUMNS }, (_, k) => `$${o + k + 1}`).join(', ')})`;
    });
    const inserted: unknown[] = await this.m.query(
      `INSERT INTO frame (embryo_id, acquired_at, hours_post_insemination, focal_plane_um, run, width, height, sha256, source)
       VALUES ${frameValues.join(', ')}
       ON CONFLICT (embryo_id, hours_post_insemination, focal_plane_um) DO NOTHING RETURNING 1`,
      frameParams,
    );
    return inserted.length;
  }

  /**
   * Frames imported with hpi only get their wall-clock time once the cycle's insemination is known:
   * those of one embryo, or with `{ cycleId }` those of every embryo of the cycle.
   */
  async fillAcquiredAt(of: { embryoId: string } | { cycleId: string }, inseminationAt: Date): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, affected]: [unknown[], number] =
      'embryoId' in of
        ? await this.m.query(
            `UPDATE frame SET acquired_at = $2::timestamptz + hours_post_insemination * interval '1 hour'
         WHERE embryo_id = $1 AND acquired_at IS NULL`,
            [of.embryoId, inseminationAt],
          )
        : await this.m.query(
            `UPDATE frame f SET acquired_at = $2::timestamptz + f.hours_post_insemination * interval '1 hour'
         FROM embryo e WHERE e.id = f.embryo_id AND e.cycle_id = $1 AND f.acquired_at IS NULL`,
            [of.cycleId, inseminationAt],
          );
    return affected;
  }

  // ---- scoring and research exports -----------------------------------------------------------

  /** Progress of the selected embryos of a clinic for one model. */
  async progress(selection: EmbryoSelection, modelVersionId: string): Promise<EmbryoProgress[]> {
    const rows: Array<{ id: string; latest: number | null; ended: number | null; predicted: string }> =
      await this.m.query(
        `SELECT e.id,
              (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
              ${CULTURE_ENDED_HPI_SQL} AS ended,
              (SELECT count(*) FROM prediction p WHERE p.embryo_id = e.id AND p.model_version_id = $2) AS predicted
         FROM embryo e JOIN cycle c ON c.id = e.cycle_id
        WHERE e.clinic_id = $1
          AND ($3::uuid IS NULL OR e.cycle_id = $3)
          AND ($4::uuid[] IS NULL OR e.id = ANY($4))
          AND (NOT $5 OR c.status = 'ACTIVE')
        ORDER BY e.id`,
        [
          selection.clinicId,
          modelVersionId,
          selection.cycleId ?? null,
          selection.embryoIds ?? null,
          selection.activeCyclesOnly,
        ],
      );
    return rows.map((r) => ({
      embryoId: r.id,
      latestFrameHpi: hours(r.latest),
      cultureEndedHpi: endedHours(r.ended),
      predictedSegments: Number(r.predicted),
    }));
  }

  /** Progress plus the segments already predicted, for the embryos of one batch (of one clinic). */
  async progressWithSegments(
    clinicId: string,
    embryoIds: readonly string[],
    modelVersionId: string,
  ): Promise<Array<EmbryoProgress & { segments: number[] }>> {
    const rows: Array<{ id: string; latest: number | null; ended: number | null; segments: number[] }> =
      await this.m.query(
        `SELECT e.id,
              (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
              ${CULTURE_ENDED_HPI_SQL} AS ended,
              ARRAY(SELECT p.segment::int FROM prediction p WHERE p.embryo_id = e.id AND p.model_version_id = $3 ORDER BY 1) AS segments
         FROM embryo e JOIN cycle c ON c.id = e.cycle_id
        WHERE e.clinic_id = $1 AND e.id = ANY($2::uuid[])
        ORDER BY e.id`,
        [clinicId, embryoIds, modelVersionId],
      );
    return rows.map((r) => ({
      embryoId: r.id,
      latestFrameHpi: hours(r.latest),
      cultureEndedHpi: endedHours(r.ended),
      predictedSegments: r.segments.length,
      segments: r.segments.map(Number),
    }));
  }

  /** Frame references (no pixels) of several embryos, below an hpi bound when one is given, in one query. */
  async frameRefs(embryoIds: readonly string[], belowHpi: number | null = null): Promise<Map<string, FrameRef[]>> {
    const rows: Array<{ id: string; embryo_id: string; hpi: number; plane: number; sha256: string }> =
      await this.m.query(
        `SELECT id::text AS id, embryo_id, hours_post_insemination AS hpi, focal_plane_um AS plane, sha256
         FROM frame WHERE embryo_id = ANY($1::uuid[]) AND ($2::double precision IS NULL OR hours_post_insemination < $2)
        ORDER BY embryo_id, hours_post_insemination, focal_plane_um`,
        [embryoIds, belowHpi],
      );
    const byEmbryo = new Map<string, FrameRef[]>(embryoIds.map((id) => [id, []]));
    for (const r of rows)
      byEmbryo.get(r.embryo_id)?.push({ frameId: r.id, hpi: Number(r.hpi), planeUm: r.plane, sha256: r.sha256.trim() });
    return byEmbryo;
  }

  /** Embryos of a clinic with a recorded outcome, cycles inseminated in [from, to), in a stable order. */
  async exportable(clinicId: string, period: { from?: Date | null; to?: Date | null }): Promise<ExportableEmbryo[]> {
    const rows: Array<{
      id: string;
      label: string;
      external_id: string;
      cycle_external_id: string;
      patient_id: string | null;
      outcome: ExportableEmbryo['outcome'];
      latest: number | null;
      ended: number | null;
    }> = await this.m.query(
      `SELECT e.id, e.label, e.external_id, c.external_id AS cycle_external_id, c.patient_id, e.outcome,
              (SELECT max(f.hours_post_insemination) FROM frame f WHERE f.embryo_id = e.id) AS latest,
              ${CULTURE_ENDED_HPI_SQL} AS ended
         FROM embryo e
         JOIN cycle c ON c.id = e.cycle_id
        WHERE e.clinic_id = $1 AND e.outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST')
          AND ($2::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR COALESCE(c.insemination_at, e.created_at) < $3::timestamptz)
        ORDER BY e.id`,
      [clinicId, period.from ?? null, period.to ?? null],
    );
    return rows.map((r) => ({
      embryoId: r.id,
      label: r.label,
      externalId: r.external_id,
      cycleExternalId: r.cycle_external_id,
      patientId: r.patient_id,
      outcome: r.outcome,
      latestFrameHpi: hours(r.latest),
      cultureEndedHpi: endedHours(r.ended),
    }));
  }
}

export function frameKey(hoursPostInsemination: number, focalPlaneUm: number): string {
  return `${hoursPostInsemination}|${focalPlaneUm}`;
}
