import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_MODEL, buildDemoModel } from '../../src/demo/demo-model';
import { DEMO_MODEL_DIR, DEMO_TRAINING_RECIPE, DEMO_TRAINING_SET } from '../../src/demo/demo-training';
import { DEFAULT_DEMO_LAB } from '../../src/demo/synthetic';
import { inspectModel } from '../../src/inference/inspect-model';

/** The demo scores with the shipped model trained on synthetic data (models/demo, `npm run train:demo`). */
describe('demo model', () => {
  const dir = join(__dirname, '..', '..', DEMO_MODEL_DIR);

  it('is built from the shipped weights and carries its training manifest, marked synthetic', async () => {
    const built = await buildDemoModel(DEMO_MODEL);
    const weights = readFileSync(join(dir, 'weights.safetensors'));
    expect(built.provenance).toMatchObject({
      kind: 'trained',
      synthetic: true,
      weightsSha256: createHash('sha256').update(weights).digest('hex'),
    });
    const manifest = built.provenance!.manifest as {
      model: Record<string, unknown>;
      dataset: { synthetic: boolean };
      seed: number;
      validation: { accuracyAuc: number };
    };
    expect(manifest.dataset.synthetic).toBe(true);
    expect(manifest.seed).toBe(DEMO_TRAINING_RECIPE.seed);
    expect(manifest.model).toMatchObject({ variant: 'amsnet', width: 8, blocks: [1, 1, 1, 1], inputSize: 64 });
    expect(manifest.validation.accuracyAuc).toBeGreaterThan(0.6); // it learned something on its validation split
    const info = await inspectModel(built.onnx);
    expect(info.contract).toMatchObject({
      trained: true,
      inputSize: 64,
      focalPlanesUm: [-45, -30, -15, 0, 15, 30, 45],
    });
  });

  it('never trains on the demo lab: its training set has its own seed', () => {
    expect(DEMO_TRAINING_SET.seed).not.toBe(DEFAULT_DEMO_LAB.seed);
  });

  it('builds an untrained model for a size the shipped weights do not fit', async () => {
    const built = await buildDemoModel({ ...DEMO_MODEL, inputSize: 32 });
    expect(built.provenance).toBeNull();
    expect((await inspectModel(built.onnx)).contract?.trained).toBe(false);
  });
});
