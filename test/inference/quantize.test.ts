import { inspectModel } from '../../src/inference/inspect-model';
import { decodeModel, encodeModel, metadataOf } from '../../src/inference/onnx/onnx-proto';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { activationParams } from '../../src/inference/quantize/qdq-transform';
import { QUANTIZATION_KEY, quantizeModel } from '../../src/inference/quantize/quantize-model';
import { rewriteToStream } from '../../src/inference/quantize/stream-rewrite';
import { PLANES_3, buildTiny, frames } from './tiny-models';

const S = 64; // at 32 px (8×8 after layer1) a width-8 net is too coarse for int8: ≈ 0.26 apart
const F = PLANES_3.length;

describe('int8 static quantisation (QDQ)', () => {
  it('runs, says it is int8, stays close to fp32, and streams like its own whole sequence', async () => {
    const fp32 = await buildTiny('amsnet', { width: 16, inputSize: S });
    const calib = frames(2 * 4 * F * S * S, 11);
    const q = await quantizeModel(fp32.onnx, { frames: calib, batch: 2, segments: 4 });
    const ops = decodeModel(q.onnx).graph.node.map((n) => n.opType);
    expect(ops).toContain('QuantizeLinear');
    expect(ops).toContain('DequantizeLinear');
    const meta = metadataOf(decodeModel(q.onnx));
    expect(meta.get('amsnet.precision')).toBe('int8');
    expect(JSON.parse(meta.get(QUANTIZATION_KEY)!)).toMatchObject({
      scheme: 'int8-qdq-static',
      sourceSha256: fp32.sha256,
      calibration: { embryos: 2, segments: 4 },
    });
    expect(q.onnx.length).toBeLessThan(fp32.onnx.length / 2); // int8 weights

    const a = await AmsnetPredictor.load(fp32.onnx);
    const b = await AmsnetPredictor.load(q.onnx);
    expect(a.precision).toBe('fp32');
    expect(b.precision).toBe('int8');
    expect(b.supportsStreaming).toBe(true);
    const T = 6;
    const x = frames(2 * T * F * S * S, 12); // not the calibration frames
    const pa = await a.predict(x, 2, T);
    const pb = await b.predict(x, 2, T);
    let maxDiff = 0;
    for (let i = 0; i < pa.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pa[i] - pb[i]));
    expect(maxDiff).toBeLessThan(0.1); // 0.053 measured
    expect(pb.some((p, i) => p !== pa[i])).toBe(true); // it really is a different (quantised) computation

    // streaming steps of the int8 model equal its whole-sequence run
    let state = null;
    const image = F * S * S;
    for (let t = 0; t < T; t++) {
      const seg = new Float32Array(2 * image);
      for (let e = 0; e < 2; e++) seg.set(x.subarray((e * T + t) * image, (e * T + t + 1) * image), e * image);
      const out = await b.step(seg, 2, state);
      for (let e = 0; e < 2; e++) expect(out.probabilities[e]).toBeCloseTo(pb[e * T + t], 5);
      state = out.state;
    }
    const info = await inspectModel(q.onnx);
    expect(info.precision).toBe('int8');
    expect(info.supportsStreaming).toBe(true);
    await a.close();
    await b.close();
  });

  it('refuses a foreign model, a quantised one and calibration frames of the wrong size', async () => {
    const fp32 = await buildTiny('tsm', { inputSize: S });
    const good = { frames: frames(1 * 2 * F * S * S, 3), batch: 1, segments: 2 };
    await expect(quantizeModel(fp32.onnx, { ...good, segments: 3 })).rejects.toThrow(/calibration frames hold/);
    const q = await quantizeModel(fp32.onnx, good);
    await expect(quantizeModel(q.onnx, good)).rejects.toThrow(/already quantised/);
    const foreign = decodeModel(fp32.onnx);
    foreign.metadataProps = foreign.metadataProps!.filter((p) => p.key !== 'amsnet.builder');
    await expect(quantizeModel(encodeModel(foreign), good)).rejects.toThrow(/only models built by amsnet-clinic/);
  });

  it('an int8 graph whose temporal shift was edited does not stream (whole sequences only)', async () => {
    const fp32 = await buildTiny('tsm', { inputSize: S });
    const q = await quantizeModel(fp32.onnx, { frames: frames(2 * F * S * S, 3), batch: 1, segments: 2 });
    expect(rewriteToStream(decodeModel(q.onnx))).not.toBeNull();
    const edited = decodeModel(q.onnx);
    const pad = edited.graph.node.find((n) => n.opType === 'Pad')!;
    pad.input = [pad.input[0], edited.graph.node.find((n) => n.opType === 'Reshape')!.input[1]]; // other pads
    expect(rewriteToStream(edited)).toBeNull();
  });

  it('activation parameters hold zero exactly and cover the range', () => {
    const { scale, zeroPoint } = activationParams([0, 6]);
    expect(zeroPoint).toBe(0); // uint8: a ReLU before the quantiser is redundant and dropped
    expect(scale * 255).toBeCloseTo(6, 5);
    const mixed = activationParams([-1, 3]);
    expect(Math.round(0 / mixed.scale) + mixed.zeroPoint).toBe(mixed.zeroPoint);
    expect((255 - mixed.zeroPoint) * mixed.scale).toBeCloseTo(3, 1);
    expect((0 - mixed.zeroPoint) * mixed.scale).toBeCloseTo(-1, 1);
  });
});
