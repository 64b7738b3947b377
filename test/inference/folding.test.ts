import { executedGflopsPerStep, nominalGflopsPerStep } from '../../src/inference/amsnet/flops';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { inspectModel } from '../../src/inference/inspect-model';
import { decodeModel } from '../../src/inference/onnx/onnx-proto';
import { PLANES_3, buildTiny, frames } from './tiny-models';

describe('optimised graph', () => {
  it.each(['tsm', 'amsnet'] as const)(
    "%s: BN-folded graph gives the unfolded graph's probabilities within 1e-4",
    async (variant) => {
      const folded = await buildTiny(variant, { inputSize: 64 });
      const unfolded = await buildTiny(variant, { inputSize: 64, weights: folded.stateDict, foldBatchNorm: false });
      const ops = (m: Uint8Array) => decodeModel(m).graph.node.map((n) => n.opType);
      expect(ops(folded.onnx)).not.toContain('BatchNormalization');
      expect(ops(unfolded.onnx)).toContain('BatchNormalization');
      const a = await AmsnetPredictor.load(folded.onnx);
      const b = await AmsnetPredictor.load(unfolded.onnx);
      const T = 3;
      const x = frames(2 * T * PLANES_3.length * 64 * 64, 8);
      const pa = await a.predict(x, 2, T);
      const pb = await b.predict(x, 2, T);
      for (let i = 0; i < pa.length; i++) expect(Math.abs(pa[i] - pb[i])).toBeLessThan(1e-4);
      expect(b.supportsStreaming).toBe(true); // the unfolded form rebuilds its streaming graph too
      await a.close();
      await b.close();
    },
  );

  it('inspectModel reports contract, parameters, GFLOPs per step and streaming', async () => {
    const model = await buildTiny('amsnet');
    const info = await inspectModel(model.onnx);
    expect(info.sha256).toBe(model.sha256);
    expect(info.contract?.variant).toBe('amsnet');
    expect(info.supportsStreaming).toBe(true);
    expect(info.parameterCount).toBeGreaterThan(10_000);
    // stem conv alone: 3 planes × 8 × 16×16 outputs × 49 MACs × 2
    expect(info.gflopsPerStep!).toBeGreaterThan((3 * 8 * 16 * 16 * 49 * 2) / 1e9);
    expect(info.gflopsPerStep!).toBeLessThan(1);
    const tsm = await inspectModel((await buildTiny('tsm')).onnx);
    expect(tsm.gflopsPerStep!).toBeLessThan(info.gflopsPerStep!); // one image per segment instead of F through stem+layer1
  });
});

describe('nominal FLOPs', () => {
  it('counts 27.35 GFLOP per segment for full-size amsnet F=7, S=224 (the reference figure)', async () => {
    const planes = [-45, -30, -15, 0, 15, 30, 45];
    expect(
      nominalGflopsPerStep({ variant: 'amsnet', planes, width: 64, blocks: [3, 4, 6, 3], inputSize: 224 }),
    ).toBeCloseTo(27.35, 2);
    // ResNet-50 at 224 is 4.09 GMAC with an RGB stem; one grey channel saves ⅔ of the stem's 118 M
    expect(
      nominalGflopsPerStep({ variant: 'baseline', planes, width: 64, blocks: [3, 4, 6, 3], inputSize: 224 }),
    ).toBeCloseTo(2 * (4.089 - (2 / 3) * 0.118), 1);
  });

  it('equals what a tiny graph executes plus the Gram-matrix quarter the graph saves', async () => {
    const model = await buildTiny('amsnet');
    const info = await inspectModel(model.onnx);
    const n = 8 * 8; // S=32 → 8×8 after layer1
    const c1 = 32;
    const saved = (2 * (n / 2) * (n / 2) * c1) / 1e9;
    expect(info.gflopsPerStep! + saved).toBeCloseTo(nominalGflopsPerStep(model.config), 7);
  });

  it('executed FLOPs: what the graph runs, measured from its real shapes; 26.09 GFLOP at full size', async () => {
    for (const variant of ['amsnet', 'tsm'] as const) {
      const model = await buildTiny(variant);
      expect(executedGflopsPerStep(model.config)).toBeCloseTo((await inspectModel(model.onnx)).gflopsPerStep!, 7);
    }
    const full = {
      variant: 'amsnet' as const,
      planes: [-45, -30, -15, 0, 15, 30, 45],
      width: 64,
      blocks: [3, 4, 6, 3] as [number, number, number, number],
      inputSize: 224,
    };
    expect(executedGflopsPerStep(full)).toBeCloseTo(26.09, 2);
    expect(nominalGflopsPerStep(full) - executedGflopsPerStep(full)).toBeCloseTo((2 * 56 ** 4 * 256) / 4 / 1e9, 6);
  });
});
