import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import { VARIANTS } from '../../src/inference/amsnet/config';
import { readNpy } from '../../src/inference/npy';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { runTrainingModule } from './python';

/**
 * The whole network checked against an independent implementation: PyTorch trains a tiny model a
 * few steps, and the ONNX graph the project builds from its weights must give the same
 * probabilities on the same input.
 */
describe('PyTorch trainer ↔ ONNX builder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'amsnet-equivalence-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(VARIANTS)('%s: same probabilities within 1e-4', async (variant) => {
    const out = join(dir, variant);
    runTrainingModule('equivalence', ['--variant', variant, '--out', out]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    const built = await buildAmsnetModel({
      variant,
      planes: config.planes,
      width: config.width,
      blocks: config.blocks,
      inputSize: config.inputSize,
      weights: readFileSync(join(out, 'weights.safetensors')),
    });
    expect(built.trained).toBe(true);
    const frames = readNpy(readFileSync(join(out, 'frames.npy')));
    const expected = readNpy(readFileSync(join(out, 'probabilities.npy')));
    const [B, T] = frames.shape;
    const predictor = await AmsnetPredictor.load(built.onnx);
    try {
      const actual = await predictor.predict(frames.data, B, T);
      expect(actual.length).toBe(expected.data.length);
      // the check must be able to fail: the probabilities are not all alike
      expect(Math.max(...expected.data) - Math.min(...expected.data)).toBeGreaterThan(1e-3);
      let worst = 0;
      for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected.data[i]));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await predictor.close();
    }
  });
});
