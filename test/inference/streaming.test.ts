import * as ort from 'onnxruntime-node';
import {
  AmsnetPredictor,
  decodeStreamState,
  encodeStreamState,
  splitStreamState,
  stackStreamStates,
} from '../../src/inference/predictor';
import { PLANES_3, TINY, buildTiny, frames } from './tiny-models';

const S = TINY.inputSize;
const F = PLANES_3.length;
const IMAGE = F * S * S;

describe('causality and streaming', () => {
  let predictor: AmsnetPredictor;
  // The stored whole-sequence graph itself, run directly: the reference for the streaming form.
  let session: ort.InferenceSession;
  const whole = {
    async predict(x: Float32Array, B: number, T: number): Promise<Float32Array> {
      const r = await session.run({ frames: new ort.Tensor('float32', x, [B, T, F, S, S]) });
      expect(r.probabilities.dims).toEqual([B, T]);
      return r.probabilities.data as Float32Array;
    },
  };
  beforeAll(async () => {
    const model = await buildTiny('amsnet');
    predictor = await AmsnetPredictor.load(model.onnx, { maxEmbryoSegmentsPerRun: 4 });
    session = await ort.InferenceSession.create(model.onnx);
  });
  afterAll(async () => {
    await predictor.close();
    await session.release();
  });

  it('changing frames after segment k leaves outputs ≤ k unchanged, and changes later ones', async () => {
    const T = 6;
    const k = 2;
    const x = frames(T * IMAGE, 9);
    const y = x.slice();
    y.set(frames((T - k - 1) * IMAGE, 77), (k + 1) * IMAGE);
    const a = await whole.predict(x, 1, T);
    const b = await whole.predict(y, 1, T);
    expect(Array.from(b.subarray(0, k + 1))).toEqual(Array.from(a.subarray(0, k + 1)));
    for (let t = k + 1; t < T; t++) expect(Math.abs(b[t] - a[t])).toBeGreaterThan(1e-7);
  });

  it('a segment influences the next one through the shift (not only its own output)', async () => {
    const T = 3;
    const x = frames(T * IMAGE, 4);
    const y = x.slice();
    y.set(frames(IMAGE, 99), 0); // only segment 0 changes
    const a = await whole.predict(x, 1, T);
    const b = await whole.predict(y, 1, T);
    expect(Math.abs(b[1] - a[1])).toBeGreaterThan(1e-7);
  });

  it('step-by-step streaming equals the whole-sequence run to 1e-5, through stored state bytes', async () => {
    expect(predictor.supportsStreaming).toBe(true);
    const B = 2;
    const T = 5;
    const x = frames(B * T * IMAGE, 21);
    const reference = await whole.predict(x, B, T);
    let state = null;
    for (let t = 0; t < T; t++) {
      const segment = new Float32Array(B * IMAGE);
      for (let b = 0; b < B; b++) segment.set(x.subarray((b * T + t) * IMAGE, (b * T + t + 1) * IMAGE), b * IMAGE);
      const r = await predictor.step(segment, B, state === null ? null : decodeStreamState(encodeStreamState(state)));
      for (let b = 0; b < B; b++) expect(Math.abs(r.probabilities[b] - reference[b * T + t])).toBeLessThan(1e-5);
      state = r.state;
      expect(state.segments).toBe(t + 1);
    }
    // per-embryo states stack back into the batch state
    const parts = splitStreamState(state!);
    expect(parts).toHaveLength(B);
    const again = stackStreamStates(parts);
    expect(Buffer.compare(encodeStreamState(again), encodeStreamState(state!))).toBe(0);
  });

  it('predict() (chunks of maxEmbryoSegmentsPerRun, batches of maxBatch) equals one whole-graph run to 1e-5', async () => {
    const B = 3;
    const T = 5;
    const x = frames(B * T * IMAGE, 5);
    const one = await whole.predict(x, B, T);
    const chunked = await predictor.predict(x, B, T);
    const model = await buildTiny('amsnet');
    const split = await AmsnetPredictor.load(model.onnx, { maxBatch: 1, maxEmbryoSegmentsPerRun: 1000 });
    const bySplit = await split.predict(x, B, T);
    await split.close();
    for (let i = 0; i < B * T; i++) {
      expect(Math.abs(chunked[i] - one[i])).toBeLessThan(1e-5);
      expect(Math.abs(bySplit[i] - one[i])).toBeLessThan(1e-5);
    }
  });

  it('predictFrom() continues from a stored state: segments 3–5 after 0–2 equal the whole run', async () => {
    const B = 2;
    const T = 6;
    const x = frames(B * T * IMAGE, 31);
    const reference = await whole.predict(x, B, T);
    const part = (from: number, to: number) => {
      const out = new Float32Array(B * (to - from) * IMAGE);
      for (let b = 0; b < B; b++)
        out.set(x.subarray((b * T + from) * IMAGE, (b * T + to) * IMAGE), b * (to - from) * IMAGE);
      return out;
    };
    const first = await predictor.predictFrom(part(0, 3), B, 3, null);
    const stored = decodeStreamState(encodeStreamState(first.state));
    const second = await predictor.predictFrom(part(3, 6), B, 3, stored);
    expect(second.state.segments).toBe(6);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const got = t < 3 ? first.probabilities[b * 3 + t] : second.probabilities[b * 3 + t - 3];
        expect(Math.abs(got - reference[b * T + t])).toBeLessThan(1e-5);
      }
  });

  it('refuses a state of another model or of another batch size', async () => {
    const r = await predictor.step(frames(IMAGE), 1, null);
    await expect(predictor.step(frames(2 * IMAGE), 2, r.state)).rejects.toThrow(/holds 1 embryos/);
    await expect(predictor.step(frames(IMAGE), 1, { ...r.state, modelSha256: 'f'.repeat(64) })).rejects.toThrow(
      /belongs to model/,
    );
    expect(() => decodeStreamState(Buffer.from('nope'))).toThrow(/not an AMSNet stream state/);
  });
});
