import { buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import { randomStateDict } from '../../src/inference/amsnet/weights';
import { ModelVersion } from '../../src/entities';
import { SYNTHETIC_WARNING, UNTRAINED_WARNING, untrainedWarning } from '../../src/inference/provenance';
import type { TrainingManifest } from '../../src/inference/training/train-model';
import { provenanceFromManifest } from '../../src/inference/training/training-manifest';
import { UserError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember } from '../helpers/factories';
import { createTestApi, type TestApi } from '../helpers/graphql-client';
import { insertModelVersion, tinyModel } from '../helpers/model-factories-registry';

const CONFIG = {
  variant: 'tsm' as const,
  planes: [-15, 0, 15],
  width: 8,
  blocks: [1, 1, 1, 1] as [number, number, number, number],
  inputSize: 32,
};

/** A real tiny model with "trained" weights (seeded), so its contract says trained=true. */
async function trainedTiny(seed: number): Promise<Uint8Array> {
  const built = await buildAmsnetModel({ ...CONFIG, weights: randomStateDict({ ...CONFIG }, seed) });
  return built.onnx;
}

const MANIFEST = {
  kind: 'amsnet-training',
  model: { ...CONFIG },
  dataset: {
    manifestSha256: 'a'.repeat(64),
    synthetic: true,
    splits: {
      train: { embryos: 40, blastocysts: 18 },
      val: { embryos: 10, blastocysts: 4 },
      test: { embryos: 0, blastocysts: 0 },
    },
  },
  validation: { accuracyAuc: 0.8, roc: [{ day: 3, auc: 0.7 }] },
  bestEpoch: 3,
  epochsRun: 5,
  seed: 1,
  weightsSha256: 'b'.repeat(64),
} as unknown as TrainingManifest;

describe('model provenance: random, trained (synthetic or not), imported', () => {
  let db: TestDatabase;
  let t: TestApi;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApi(db);
  });
  afterAll(async () => {
    await t.stop();
    await db.destroy();
  });
  const registration = () => db.services.system.modelRegistration();

  it('records a trained-on-synthetic model with its manifest, and warns like an untrained one', async () => {
    const { model } = await db.services.registry.register(
      await trainedTiny(1),
      { name: 'syn', version: '1', provenance: provenanceFromManifest(MANIFEST) },
      registration(),
    );
    const row = await db.dataSource.getRepository(ModelVersion).findOneByOrFail({ id: model.id });
    expect([row.provenance, row.synthetic, row.trained, row.weightsSha256]).toEqual([
      'trained',
      true,
      true,
      'b'.repeat(64),
    ]);
    expect(row.trainingManifest).toEqual(JSON.parse(JSON.stringify(MANIFEST)));
    expect(untrainedWarning(row)).toBe(SYNTHETIC_WARNING);
    expect(SYNTHETIC_WARNING).toContain('trained on synthetic data: not for clinical use');
  });

  it('defaults to random for untrained and imported for trained weights, and refuses contradictions', async () => {
    const random = (
      await db.services.registry.register(await tinyModel({ seed: 5 }), { name: 'r', version: '1' }, registration())
    ).model;
    expect([random.provenance, random.synthetic, untrainedWarning(random)]).toEqual([
      'random',
      false,
      UNTRAINED_WARNING,
    ]);
    const imported = (
      await db.services.registry.register(
        await trainedTiny(2),
        { name: 'i', version: '1', provenance: { weightsSha256: 'c'.repeat(64) } },
        registration(),
      )
    ).model;
    expect([imported.provenance, imported.weightsSha256, untrainedWarning(imported)]).toEqual([
      'imported',
      'c'.repeat(64),
      null,
    ]);
    await expect(
      db.services.registry.register(
        await tinyModel({ seed: 6 }),
        { name: 'x', version: '1', provenance: { kind: 'trained' } },
        registration(),
      ),
    ).rejects.toThrow(UserError);
    await expect(
      db.services.registry.register(
        await trainedTiny(3),
        { name: 'x', version: '2', provenance: { kind: 'imported', synthetic: true } },
        registration(),
      ),
    ).rejects.toThrow(/only a trained model/);
    // rows written without saying (tools, older code) get what their trained flag implies
    expect((await insertModelVersion(db.dataSource, { trained: false })).id).toBeTruthy();
    const rows: Array<{ trained: boolean; provenance: string }> = await db.dataSource.query(
      `SELECT trained, provenance FROM model_version WHERE name LIKE 'm-%'`,
    );
    expect(rows).toEqual([{ trained: false, provenance: 'random' }]);
  });

  it('serves provenance and warning on GraphQL ModelVersion', async () => {
    const clinic = await newClinic(db.dataSource);
    const admin = await newMember(db.dataSource, clinic, 'ADMIN');
    const result = await t.gql(
      `{ models { name warning provenance { kind synthetic weightsSha256 manifest } } }`,
      {},
      admin,
    );
    expect(result.errors).toBeUndefined();
    const byName = new Map<string, any>(result.data.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.get('syn')).toMatchObject({
      warning: SYNTHETIC_WARNING,
      provenance: { kind: 'trained', synthetic: true, weightsSha256: 'b'.repeat(64), manifest: { bestEpoch: 3 } },
    });
    expect(byName.get('r').provenance).toEqual({
      kind: 'random',
      synthetic: false,
      weightsSha256: null,
      manifest: null,
    });
    expect(byName.get('i').provenance.kind).toBe('imported');
  });
});
