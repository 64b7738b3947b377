import { AuditEvent, ModelVersion } from '../../src/entities';
import { ModelContractError } from '../../src/inference/predictor';
import { ModelRefusedError } from '../../src/inference/registry/model-refusal';
import type { ModelRegistryService } from '../../src/inference/registry/model-registry.service';
import { PredictorCache } from '../../src/inference/scoring/model-cache';
import { UserError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { CRAFTED, SECRET_FLOAT, constantModel, enterFolderWithSecret } from '../helpers/external-data-models';
import { accessOf } from '../helpers/access';
import { newUser } from '../helpers/factories';
import { insertModelVersion } from '../helpers/model-factories-registry';

/** How a float prints in a message: the digits an attacker would read back. */
const digitsOf = (x: number) => String(x).replace(/e.*/, '').slice(0, 6);

describe('refused model registrations and models stored before the gate', () => {
  let db: TestDatabase;
  let registry: ModelRegistryService;
  let leave: () => Promise<void>;
  beforeAll(async () => {
    db = await createTestDatabase();
    registry = db.services.registry;
    leave = await enterFolderWithSecret();
  });
  afterAll(async () => {
    await leave();
    await db.destroy();
  });

  const refusals = () =>
    db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { action: 'MODEL_REGISTRATION_REFUSED' }, order: { id: 'ASC' } });

  it('refuses every crafted model with the reason, stores nothing, echoes nothing and audits each attempt', async () => {
    const user = await newUser(db.dataSource, { networkAdmin: true });
    const before = await db.dataSource.getRepository(ModelVersion).count();
    const seen = (await refusals()).length;
    for (const [where, make] of Object.entries(CRAFTED)) {
      const attempt = registry.register(
        make(),
        { name: 'crafted', version: where.replace(/[^a-z]/gi, '-') },
        (await accessOf(db, user, 'req-crafted')).requireModelRegistrar(),
      );
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect(error).toMatchObject({
        reason: 'external-data',
        message: expect.stringMatching(/^model refused: the model keeps tensor data in files outside the model/),
      });
      expect((error as Error).message).not.toContain(digitsOf(SECRET_FLOAT));
    }
    expect(await db.dataSource.getRepository(ModelVersion).count()).toBe(before);
    const events = (await refusals()).slice(seen);
    expect(events).toHaveLength(Object.keys(CRAFTED).length);
    expect(events[0]).toMatchObject({
      userId: user.id,
      requestId: 'req-crafted',
      entity: 'model_version',
      entityId: null,
      clinicId: null,
    });
    expect(events[0].detail).toEqual({
      name: 'crafted',
      version: 'initializer',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      sizeBytes: CRAFTED.initializer().length,
      reason: 'external-data',
    });
  });

  it('never quotes what a model computed: an output outside [0, 1] is refused by its reason only', async () => {
    const odd = 7.123456;
    const error = await registry
      .register(constantModel(odd), { name: 'constant', version: '1' }, db.services.system.modelRegistration())
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ModelRefusedError);
    expect(error).toMatchObject({
      reason: 'not-a-probability',
      message: 'model refused: its output for a mid-grey input is not a probability in [0, 1]',
    });
    expect((await refusals()).at(-1)?.detail).toMatchObject({ name: 'constant', reason: 'not-a-probability' });
    // a file that is fine apart from that registers: the check is about the output, not the form
    await expect(
      registry.register(
        constantModel(0.25),
        { name: 'constant', version: '2' },
        db.services.system.modelRegistration(),
      ),
    ).resolves.toMatchObject({ created: true });
  });

  it('refuses to load a stored version that references a file (a row written before the gate existed)', async () => {
    const row = await insertModelVersion(db.dataSource, { onnx: CRAFTED['If subgraph initializer'](), planes: [0] });
    const cache = new PredictorCache(db.store.models, { executionProviders: ['cpu'], maxBatch: 1 });
    try {
      // a contract error: the scoring job fails the whole run with this reason
      await expect(cache.get(row.id)).rejects.toThrow(ModelContractError);
      await expect(cache.get(row.id)).rejects.toThrow(
        /tensor data in files outside the model \(graph "main" › node "choose" › attribute "then_branch" › graph "then" › initializer "secret"\)/,
      );
    } finally {
      await cache.close();
    }
  });
});
