import { EmbryoScoringService } from '../../src/inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../../src/inference/scoring/model-cache';
import { ScoringRunsService } from '../../src/inference/scoring/scoring-runs.service';
import { ModelContractError } from '../../src/inference/predictor';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { registerActiveModel, tinyModel, withoutBuilderRecord } from '../helpers/model-factories';
import { addFrames, everyTwoHours } from '../helpers/scoring-factories';
import type { Clinic, Embryo } from '../../src/entities';

const PLANES = [-15, 0, 15];
let db: TestDatabase;
let queries: string[] = [];
let predictors: PredictorCache;
let service: EmbryoScoringService;
let runs: ScoringRunsService;
let clinic: Clinic;
let modelId: string;

beforeAll(async () => {
  db = await createTestDatabase({ onQuery: (sql) => queries.push(sql) });
  predictors = new PredictorCache(db.store.models, { executionProviders: ['cpu'], maxBatch: 2 });
  service = new EmbryoScoringService(db.store, predictors);
  runs = new ScoringRunsService(db.store);
  clinic = await newClinic(db.dataSource);
  modelId = await registerActiveModel(db.dataSource, clinic, await tinyModel(PLANES));
});

afterAll(async () => {
  await predictors.close();
  await db.destroy();
});

async function newRun(): Promise<string> {
  const run = await runs.create({
    clinicId: clinic.id,
    modelVersionId: modelId,
    trigger: 'cli',
    requestedBy: null,
    scope: {},
  });
  return run!.id;
}

async function predictionsOf(embryo: Embryo) {
  return db.dataSource.query(
    `SELECT segment, hours_post_insemination AS hpi, probability, inputs, scoring_run_id FROM prediction
      WHERE embryo_id = $1 AND model_version_id = $2 ORDER BY segment`,
    [embryo.id, modelId],
  );
}

describe('EmbryoScoringService', () => {
  it('writes one prediction per complete segment with the frames it used', async () => {
    const cycle = await newCycle(db.dataSource, clinic);
    const embryo = await newEmbryo(db.dataSource, cycle);
    await addFrames(db.dataSource, embryo, everyTwoHours(20), PLANES); // frames up to 19 h: segments 0–2 complete
    const runId = await newRun();
    const result = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: runId,
      embryoIds: [embryo.id],
    });
    expect(result.outcomes).toEqual([{ embryoId: embryo.id, status: 'scored', written: [0, 1, 2] }]);
    expect(result.executionProvider).toBe('cpu');
    const rows = await predictionsOf(embryo);
    expect(rows.map((r: { segment: number; hpi: number }) => [r.segment, r.hpi])).toEqual([
      [0, 6],
      [1, 12],
      [2, 18],
    ]);
    for (const r of rows) {
      expect(r.probability).toBeGreaterThanOrEqual(0);
      expect(r.probability).toBeLessThanOrEqual(1);
      expect(r.scoring_run_id).toBe(runId);
      expect(r.inputs.imputed).toBe(false);
      expect(r.inputs.frames.map((f: { planeUm: number }) => f.planeUm)).toEqual(PLANES);
    }
    // segment 1 ([6,12)): frames at 7, 9, 11 h; 9 is the middle
    expect(rows[1].inputs.frames.map((f: { hpi: number }) => f.hpi)).toEqual([9, 9, 9]);
  });

  it('adds nothing when scoring again, and exactly the new segment when frames for it arrive', async () => {
    const cycle = await newCycle(db.dataSource, clinic);
    const embryo = await newEmbryo(db.dataSource, cycle);
    await addFrames(db.dataSource, embryo, everyTwoHours(14), PLANES); // up to 13 h: segments 0–1
    await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [embryo.id],
    });
    const before = await predictionsOf(embryo);
    expect(before).toHaveLength(2);

    const again = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [embryo.id],
    });
    expect(again.outcomes).toEqual([{ embryoId: embryo.id, status: 'up-to-date', written: [] }]);
    expect(await predictionsOf(embryo)).toEqual(before);

    await addFrames(db.dataSource, embryo, [15, 17, 19], PLANES); // a frame ≥ 18 h completes segment 2
    const next = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [embryo.id],
    });
    expect(next.outcomes[0].written).toEqual([2]);
    const after = await predictionsOf(embryo);
    expect(after.slice(0, 2)).toEqual(before);
    expect(after).toHaveLength(3);

    // The model is causal: the stored trajectory equals a fresh whole-sequence run of the same frames.
    const twin = await newEmbryo(db.dataSource, cycle);
    await addFrames(db.dataSource, twin, [...everyTwoHours(14), 15, 17, 19], PLANES);
    await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [twin.id],
    });
    const fresh = await predictionsOf(twin);
    fresh.forEach((r: { probability: number }, k: number) =>
      expect(r.probability).toBeCloseTo(after[k].probability, 5),
    );
  });

  it('scores the last, incomplete segment once culture has ended, and records imputed segments', async () => {
    const cycle = await newCycle(db.dataSource, clinic);
    const embryo = await newEmbryo(db.dataSource, cycle, { cultureEndedHpi: 23 });
    await addFrames(db.dataSource, embryo, [3, 9, 21], PLANES); // segment 2 ([12,18)) empty; 3 ([18,24)) ends with culture
    const result = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [embryo.id],
    });
    expect(result.outcomes[0].written).toEqual([0, 1, 2, 3]);
    const rows = await predictionsOf(embryo);
    expect(rows.map((r: { inputs: { imputed: boolean } }) => r.inputs.imputed)).toEqual([false, false, true, false]);
    expect(rows[2].inputs.frames[0]).toMatchObject({ hpi: 9, imputed: 'empty-segment', from: { segment: 1 } });
    // Culture has ended: no segment will follow, so no streaming state is kept.
    expect(await db.dataSource.query(`SELECT 1 FROM scoring_stream_state WHERE embryo_id = $1`, [embryo.id])).toEqual(
      [],
    );
  });

  it('reads frames of a whole batch with a fixed number of queries (no per-embryo reads)', async () => {
    const cycle = await newCycle(db.dataSource, clinic);
    const embryos = await Promise.all([1, 2, 3, 4, 5].map(() => newEmbryo(db.dataSource, cycle)));
    for (const e of embryos) await addFrames(db.dataSource, e, everyTwoHours(13), PLANES);
    queries = [];
    const result = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: embryos.map((e) => e.id),
    });
    expect(result.outcomes.filter((o) => o.status === 'scored')).toHaveLength(5);
    const reads = queries.filter((q) => /FROM frame(_image)?\b/.test(q) && /^\s*SELECT/i.test(q));
    // one progress query, one frame-reference query, one image query per inference batch (5 embryos / maxBatch 2 = 3)
    expect(reads).toHaveLength(1 + 1 + 3);
  });

  it('skips (does not invent) an embryo whose complete segments hold no frame, and fails only the embryo with a broken image', async () => {
    const cycle = await newCycle(db.dataSource, clinic);
    const empty = await newEmbryo(db.dataSource, cycle, { cultureEndedHpi: 10 });
    const broken = await newEmbryo(db.dataSource, cycle);
    const fine = await newEmbryo(db.dataSource, cycle);
    await addFrames(db.dataSource, fine, everyTwoHours(8), PLANES);
    await db.dataSource.query(
      `INSERT INTO frame_image (sha256, bytes, mime) VALUES (repeat('ab', 32), 'garbage', 'image/png')`,
    );
    await db.dataSource.query(
      `INSERT INTO frame (embryo_id, hours_post_insemination, focal_plane_um, width, height, sha256, source)
       SELECT $1, h, p, 48, 48, repeat('ab', 32), 'test' FROM unnest(ARRAY[3.0, 7.0]) h, unnest(ARRAY[-15, 0, 15]) p`,
      [broken.id],
    );
    const result = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [empty.id, broken.id, fine.id],
    });
    const byId = new Map(result.outcomes.map((o) => [o.embryoId, o]));
    expect(byId.get(empty.id)).toMatchObject({ status: 'skipped' });
    expect(byId.get(broken.id)).toMatchObject({ status: 'failed', reason: expect.stringContaining('cannot decode') });
    expect(byId.get(fine.id)).toMatchObject({ status: 'scored', written: [0] });
    expect(await predictionsOf(broken)).toEqual([]);
  });

  it('streams new segments from the stored state, with the same probabilities as a whole-sequence run', async () => {
    // Clinic A: the builder's model (streams). Clinic B: the same weights as a foreign file (whole sequences).
    const foreign = await newClinic(db.dataSource);
    const foreignModelId = await registerActiveModel(
      db.dataSource,
      foreign,
      await withoutBuilderRecord(await tinyModel(PLANES)),
    );
    const streamed = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    const whole = await newEmbryo(db.dataSource, await newCycle(db.dataSource, foreign));
    for (const e of [streamed, whole]) await addFrames(db.dataSource, e, [1, 3, 5, 7, 13], PLANES); // segments 0–1; 2 has a frame, 3 not yet

    const first = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [streamed.id],
    });
    expect(first.outcomes[0].written).toEqual([0, 1]);
    const [state] = await db.dataSource.query(
      `SELECT segments FROM scoring_stream_state WHERE embryo_id = $1 AND model_version_id = $2`,
      [streamed.id, modelId],
    );
    expect(state).toEqual({ segments: 2 });

    for (const e of [streamed, whole]) await addFrames(db.dataSource, e, [21, 25], PLANES); // completes segments 2 and 3
    const second = await service.scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: await newRun(),
      embryoIds: [streamed.id],
    });
    expect(second.outcomes[0].written).toEqual([2, 3]);
    // Only the streaming path stores a state, and it continued from segment 2 (the whole-sequence path writes none).
    const [after] = await db.dataSource.query(`SELECT segments FROM scoring_stream_state WHERE embryo_id = $1`, [
      streamed.id,
    ]);
    expect(after.segments).toBe(4);

    const foreignRun = await runs.create({
      clinicId: foreign.id,
      modelVersionId: foreignModelId,
      trigger: 'cli',
      requestedBy: null,
      scope: {},
    });
    await service.scoreEmbryos({
      clinicId: foreign.id,
      modelVersionId: foreignModelId,
      scoringRunId: foreignRun!.id,
      embryoIds: [whole.id],
    });
    const a = await db.dataSource.query(
      `SELECT segment, probability FROM prediction WHERE embryo_id = $1 ORDER BY segment`,
      [streamed.id],
    );
    const b = await db.dataSource.query(
      `SELECT segment, probability FROM prediction WHERE embryo_id = $1 ORDER BY segment`,
      [whole.id],
    );
    expect(b.map((r: { segment: number }) => r.segment)).toEqual([0, 1, 2, 3]);
    a.forEach((r: { probability: number }, k: number) => expect(r.probability).toBeCloseTo(b[k].probability, 5));
    expect(await db.dataSource.query(`SELECT 1 FROM scoring_stream_state WHERE embryo_id = $1`, [whole.id])).toEqual(
      [],
    );
  });

  it('refuses a model that fails its contract with the reason', async () => {
    const other = await newClinic(db.dataSource);
    const badId = await registerActiveModel(db.dataSource, other, Buffer.from('definitely not an onnx file'));
    const run = await runs.create({
      clinicId: other.id,
      modelVersionId: badId,
      trigger: 'cli',
      requestedBy: null,
      scope: {},
    });
    await expect(
      service.scoreEmbryos({ clinicId: other.id, modelVersionId: badId, scoringRunId: run!.id, embryoIds: [] }),
    ).rejects.toThrow(ModelContractError);
  });
});
