import { AuditEvent, ModelVersion } from '../../src/entities';
import { GraphBuilder } from '../../src/inference/onnx/graph-builder';
import { ModelRefusedError } from '../../src/inference/registry/model-refusal';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { tinyModel, withoutMetadata } from '../helpers/model-factories-registry';

/*
 * Registration refuses a model whose output at segment t moves when only later segments change
 * (DESIGN.md §6): scoring shows probabilities of running cultures and pads short sequences.
 * The crafted graphs are tiny real ONNX models, one causal and two that look ahead.
 */
const META = {
  'amsnet.contract': '1',
  'amsnet.variant': 'tsm',
  'amsnet.focal_planes_um': '0',
  'amsnet.input_size': '4',
  'amsnet.segment_hours': '6',
  'amsnet.trained': 'false',
};

/** sigmoid(per-segment mean of the frames [+ the mean over the whole sequence when `lookAhead`]) → [B, T]. */
function crafted(kind: 'causal' | 'whole-sequence' | 'next-segment'): Uint8Array {
  const g = new GraphBuilder();
  const frames = g.input('frames', ['B', 'T', 1, 4, 4]);
  const perStep = g.op('ReduceMean', [frames], { axes: [2, 3, 4], keepdims: 0 }); // [B, T]
  let logits = perStep;
  if (kind === 'whole-sequence') {
    // each output also sees the mean of every segment, future ones included
    const whole = g.op('ReduceMean', [perStep], { axes: [1], keepdims: 1 }); // [B, 1]
    logits = g.op('Add', [perStep, whole]);
  } else if (kind === 'next-segment') {
    // output t adds segment t+1 (the last one adds itself): a one-step look-ahead
    const shifted = g.op('Slice', [perStep, g.int64([1]), g.int64([2 ** 62]), g.int64([1])]);
    const last = g.op('Slice', [perStep, g.int64([-1]), g.int64([2 ** 62]), g.int64([1])]);
    logits = g.op('Add', [perStep, g.op('Concat', [shifted, last], { axis: 1 })]);
  }
  g.output('probabilities', g.op('Sigmoid', [logits]), ['B', 'T']);
  return g.encode(META);
}

describe('causality check at registration', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.destroy());

  const register = (onnx: Uint8Array, version: string) =>
    db.services.registry.register(onnx, { name: 'foreign', version }, db.services.system.modelRegistration());

  it('accepts a causal foreign graph', async () => {
    await expect(register(crafted('causal'), 'causal')).resolves.toMatchObject({ created: true });
  });

  it.each(['whole-sequence', 'next-segment'] as const)(
    'refuses a graph that looks ahead (%s), stores nothing and audits the reason',
    async (kind) => {
      const before = await db.dataSource.getRepository(ModelVersion).count();
      const error = await register(crafted(kind), kind).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ModelRefusedError);
      expect(error).toMatchObject({ reason: 'not-causal' });
      expect((error as Error).message).toMatch(
        /^model refused: it is not causal: its output at segment 0 changes when only segments ≥ 1 change/,
      );
      expect(await db.dataSource.getRepository(ModelVersion).count()).toBe(before);
      const refused = await db.dataSource
        .getRepository(AuditEvent)
        .findOne({ where: { action: 'MODEL_REGISTRATION_REFUSED' }, order: { id: 'DESC' } });
      expect(refused?.detail).toMatchObject({ version: kind, reason: 'not-causal' });
    },
  );

  it("accepts the project's own AMSNet, also as a file without its metadata", async () => {
    const onnx = await tinyModel({ variant: 'amsnet' });
    await expect(
      db.services.registry.register(
        withoutMetadata(onnx),
        { name: 'own', version: '1', variant: 'amsnet', planes: [-15, 0, 15], inputSize: 32, trained: false },
        db.services.system.modelRegistration(),
      ),
    ).resolves.toMatchObject({ created: true });
  });
});
