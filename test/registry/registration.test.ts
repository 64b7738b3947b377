import { AuditEvent, ModelVersion } from '../../src/entities';
import type { ModelRegistryService } from '../../src/inference/registry/model-registry.service';
import { accessOf } from '../helpers/access';
import { UserError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newUser } from '../helpers/factories';
import { tinyModel, withoutMetadata } from '../helpers/model-factories-registry';

describe('registering model versions', () => {
  let db: TestDatabase;
  let registry: ModelRegistryService;
  let tsmModel: Uint8Array;
  beforeAll(async () => {
    db = await createTestDatabase();
    registry = db.services.registry;
    tsmModel = await tinyModel({ variant: 'tsm', planes: [-15, 0, 15], seed: 1 });
  });
  afterAll(async () => db.destroy());

  const modelCount = () => db.dataSource.getRepository(ModelVersion).count();

  it('stores a model that passes its contract check, with sha256, contract and who registered it', async () => {
    const user = await newUser(db.dataSource, { networkAdmin: true });
    const { model, created } = await registry.register(
      tsmModel,
      { name: 'amsnet-tiny', version: '1' },
      (await accessOf(db, user, 'req-1')).requireModelRegistrar(),
    );
    expect(created).toBe(true);
    expect(model).toMatchObject({
      name: 'amsnet-tiny',
      version: '1',
      variant: 'tsm',
      planes: [-15, 0, 15],
      inputSize: 32,
      trained: false,
      createdBy: user.id,
    });
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.contract).toMatchObject({
      contractVersion: 1,
      variant: 'tsm',
      focalPlanesUm: [-15, 0, 15],
      segmentHours: 6,
      trained: false,
    });
    expect(Buffer.from(await registry.onnxOf(model.id)).equals(Buffer.from(tsmModel))).toBe(true);
    const event = await db.dataSource
      .getRepository(AuditEvent)
      .findOneByOrFail({ entityId: model.id, action: 'MODEL_REGISTERED' });
    expect(event).toMatchObject({ userId: user.id, requestId: 'req-1' });
    expect(event.detail.probeProbability).toEqual(expect.any(Number));
  });

  it('returns the existing version for the same bytes, even under another name or concurrently', async () => {
    const bytes = await tinyModel({ variant: 'baseline', planes: [0], seed: 7 });
    const before = await modelCount();
    const [a, b] = await Promise.all([
      registry.register(bytes, { name: 'dup', version: '1' }, db.services.system.modelRegistration()),
      registry.register(bytes, { name: 'dup', version: '1' }, db.services.system.modelRegistration()),
    ]);
    expect(a.model.id).toBe(b.model.id);
    expect([a.created, b.created].filter(Boolean).length).toBeLessThanOrEqual(1);
    const again = await registry.register(
      bytes,
      { name: 'other-name', version: '9' },
      db.services.system.modelRegistration(),
    );
    expect(again).toMatchObject({ created: false, model: { id: a.model.id, name: 'dup' } });
    expect(await modelCount()).toBe(before + 1);
  });

  it('refuses a different file under an existing name and version', async () => {
    const first = await tinyModel({ variant: 'tsm', planes: [0], seed: 11 });
    const second = await tinyModel({ variant: 'tsm', planes: [0], seed: 12 });
    await registry.register(first, { name: 'clash', version: '1' }, db.services.system.modelRegistration());
    await expect(
      registry.register(second, { name: 'clash', version: '1' }, db.services.system.modelRegistration()),
    ).rejects.toThrow(/clash 1 already exists/);
  });

  it('refuses files that fail the contract, with the reason, storing nothing', async () => {
    const before = await modelCount();
    const refuse = async (
      bytes: Uint8Array,
      reason: RegExp,
      input: Partial<Parameters<ModelRegistryService['register']>[1]> = {},
    ) => {
      const error = await registry
        .register(
          bytes,
          { name: 'bad', version: String(Math.random()), ...input },
          db.services.system.modelRegistration(),
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(reason);
    };
    await refuse(Buffer.from('this is not an onnx file at all'), /model refused: .*not a readable ONNX model/);
    await refuse(new Uint8Array(0), /the file is empty/);
    const foreign = withoutMetadata(tsmModel);
    await refuse(foreign, /metadata "amsnet\.variant" is missing/);
    // stated planes that contradict the graph: the input declares 3 planes, the caller says 5
    await refuse(foreign, /5 focal planes|3 focal planes|fails on a \[1, 1, 5/, {
      variant: 'tsm',
      planes: [-30, -15, 0, 15, 30],
      inputSize: 32,
      trained: false,
    });
    await refuse(tsmModel, /unknown variant/, { variant: 'resnet' as never });
    await refuse(tsmModel, /model name/, { name: '' });
    await refuse(tsmModel, /strictly ascending/, { planes: [15, 0, -15] });
    await refuse(await tinyModel({ variant: 'tsm', planes: [0], seed: 31 }), /says its weights are untrained/, {
      trained: true,
    });
    expect(await modelCount()).toBe(before);
  });

  it('accepts a file without metadata when the caller states the contract', async () => {
    const foreign = withoutMetadata(await tinyModel({ variant: 'tsm', planes: [-15, 0, 15], seed: 21 }));
    const { model } = await registry.register(
      foreign,
      { name: 'foreign', version: '1', variant: 'tsm', planes: [-15, 0, 15], inputSize: 32, trained: true },
      db.services.system.modelRegistration(),
    );
    expect(model).toMatchObject({ variant: 'tsm', planes: [-15, 0, 15], trained: true, inputSize: 32 });
  });

  it('lists versions newest first without loading their bytes', async () => {
    const listed = await registry.list();
    expect(listed.length).toBeGreaterThan(1);
    expect(listed.every((r) => r.model.onnx === undefined)).toBe(true);
    const times = listed.map((r) => r.model.createdAt.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });
});
