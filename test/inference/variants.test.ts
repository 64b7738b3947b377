import * as ort from 'onnxruntime-node';
import { VARIANTS } from '../../src/inference/amsnet/config';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { PLANES_3, TINY, buildTiny, frames } from './tiny-models';

const S = TINY.inputSize;
const F = PLANES_3.length;

describe('every AMSNet variant', () => {
  it.each(VARIANTS)('%s builds, loads and gives [B,T] probabilities in (0,1)', async (variant) => {
    const model = await buildTiny(variant);
    const predictor = await AmsnetPredictor.load(model.onnx, {});
    try {
      expect(predictor.contract).toEqual({
        contractVersion: 1,
        variant,
        focalPlanesUm: PLANES_3,
        inputSize: S,
        segmentHours: 6,
        trained: false,
      });
      const B = 2;
      const T = 3;
      const p = await predictor.predict(frames(B * T * F * S * S), B, T);
      expect(p).toHaveLength(B * T);
      for (const v of p) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThan(1);
      }
      // Different embryos give different probabilities: the output really depends on the input.
      expect(p[0]).not.toBeCloseTo(p[T], 6);
    } finally {
      await predictor.close();
    }
  });

  it('declares B and T dynamic and F, S fixed in the graph', async () => {
    const model = await buildTiny('amsnet');
    const session = await ort.InferenceSession.create(model.onnx);
    try {
      expect(session.inputNames).toEqual(['frames']);
      expect(session.outputNames).toEqual(['probabilities']);
      const run = await session.run({ frames: new ort.Tensor('float32', frames(1 * 5 * F * S * S), [1, 5, F, S, S]) });
      expect(run.probabilities.dims).toEqual([1, 5]);
    } finally {
      await session.release();
    }
  });

  it('baseline looks at the middle plane only', async () => {
    const model = await buildTiny('baseline');
    const predictor = await AmsnetPredictor.load(model.onnx, {});
    try {
      const T = 2;
      const x = frames(T * F * S * S, 3);
      const y = x.slice();
      const plane = S * S;
      for (let t = 0; t < T; t++) {
        for (const f of [0, 2]) y.fill(0.9, (t * F + f) * plane, (t * F + f + 1) * plane);
      }
      const a = await predictor.predict(x, 1, T);
      const b = await predictor.predict(y, 1, T);
      expect(Array.from(b)).toEqual(Array.from(a));
      const z = x.slice();
      z.fill(0.9, (0 * F + 1) * plane, (0 * F + 2) * plane); // the middle plane of segment 0
      const c = await predictor.predict(z, 1, T);
      expect(Math.abs(c[0] - a[0])).toBeGreaterThan(1e-6);
    } finally {
      await predictor.close();
    }
  });
});
