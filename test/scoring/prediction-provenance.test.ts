import * as ort from 'onnxruntime-node';
import type { Clinic, User } from '../../src/entities';
import { EmbryoScoringService } from '../../src/inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../../src/inference/scoring/model-cache';
import { PREPROCESSING_VERSION } from '../../src/inference/scoring/prediction-provenance';
import { ScoringRunsService } from '../../src/inference/scoring/scoring-runs.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { createTestApi, type TestApi } from '../helpers/graphql-client';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { addFrames, everyTwoHours } from '../helpers/scoring-factories';

const PLANES = [-15, 0, 15];
let db: TestDatabase;
let t: TestApi;
let predictors: PredictorCache;
let clinic: Clinic;
let clinician: User;
let modelId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTestApi(db);
  predictors = new PredictorCache(db.store.models, { executionProviders: ['cpu'], maxBatch: 2 });
  clinic = await newClinic(db.dataSource);
  clinician = await newMember(db.dataSource, clinic, 'CLINICIAN');
  modelId = await registerActiveModel(db.dataSource, clinic, await tinyModel(PLANES));
});

afterAll(async () => {
  await predictors.close();
  await t?.stop();
  await db?.destroy();
});

const TRAJECTORY = `query($id: ID!) { embryo(id: $id) { trajectory {
  model { id sha256 }
  points { segment imputed runtime { onnxRuntime executionProvider preprocessing }
           inputs { frameId hoursPostInsemination focalPlaneUm imputed imputedBecause } }
} } }`;

describe('per-prediction provenance', () => {
  it('stores and serves model sha256, ONNX Runtime version, execution provider, preprocessing and input frames', async () => {
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    // frames up to 19 h but none in [6, 12): segment 1 repeats segment 0's frames (imputed)
    await addFrames(
      db.dataSource,
      embryo,
      everyTwoHours(20).filter((h) => h < 6 || h >= 12),
      PLANES,
    );
    const run = await new ScoringRunsService(db.store).create({
      clinicId: clinic.id,
      modelVersionId: modelId,
      trigger: 'cli',
      requestedBy: null,
      scope: {},
    });
    await new EmbryoScoringService(db.store, predictors).scoreEmbryos({
      clinicId: clinic.id,
      modelVersionId: modelId,
      scoringRunId: run!.id,
      embryoIds: [embryo.id],
    });

    const result = await t.gql(TRAJECTORY, { id: embryo.id }, clinician);
    expect(result.errors).toBeUndefined();
    const trajectory = result.data.embryo.trajectory;
    const [stored] = await db.dataSource.query(`SELECT sha256 FROM model_version WHERE id = $1`, [modelId]);
    expect(trajectory.model).toEqual({ id: modelId, sha256: stored.sha256 });
    expect(trajectory.points.map((p: { segment: number }) => p.segment)).toEqual([0, 1, 2]);
    for (const p of trajectory.points) {
      expect(p.runtime).toEqual({
        onnxRuntime: ort.env.versions.node,
        executionProvider: 'cpu',
        preprocessing: PREPROCESSING_VERSION,
      });
      expect(p.inputs.map((i: { focalPlaneUm: number }) => i.focalPlaneUm)).toEqual(PLANES);
    }
    expect(ort.env.versions.node).toMatch(/^\d+\.\d+\.\d+/);

    // the frames served are the frames stored: ids of this embryo's frames at the hpi and plane given
    const frames: Array<{ id: string; hpi: number; plane: number }> = await db.dataSource.query(
      `SELECT id, hours_post_insemination AS hpi, focal_plane_um AS plane FROM frame WHERE embryo_id = $1`,
      [embryo.id],
    );
    for (const p of trajectory.points)
      for (const input of p.inputs) {
        const frame = frames.find((f) => f.id === input.frameId)!;
        expect(frame).toBeDefined();
        expect([frame.hpi, frame.plane]).toEqual([input.hoursPostInsemination, input.focalPlaneUm]);
      }
    expect(trajectory.points[0].inputs[0]).toMatchObject({
      hoursPostInsemination: 3,
      imputed: false,
      imputedBecause: null,
    });
    expect(trajectory.points[1].imputed).toBe(true);
    expect(trajectory.points[1].inputs[0]).toMatchObject({
      hoursPostInsemination: 3,
      imputed: true,
      imputedBecause: 'empty-segment',
    });
  });

  it('serves predictions stored before runtime provenance existed with runtime null, inputs intact', async () => {
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    await db.dataSource.query(
      `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs)
       VALUES ($1, $2, 0, 6, 0.4, '{"imputed": false, "frames": []}')`,
      [embryo.id, modelId],
    );
    const result = await t.gql(TRAJECTORY, { id: embryo.id }, clinician);
    expect(result.data.embryo.trajectory.points).toEqual([{ segment: 0, imputed: false, runtime: null, inputs: [] }]);
  });
});
