import * as ort from 'onnxruntime-node';
import { INPUT_NAME, contractFromModel } from '../model-contract';
import { type OnnxModel, encodeModel } from '../onnx/onnx-proto';
import { type ActivationRanges, tensorsToCalibrate } from './qdq-transform';

/**
 * Observed [min, max] of every activation static quantisation needs, over calibration frames
 * [B,T,F,S,S] run through the float32 sequence graph. Each embryo's trajectory is run in
 * `segmentsPerRun` chunks (all activations of a run are held at once as outputs); the first
 * segment of a chunk sees zeros, not its predecessor, in the 1/8 of channels TSM shifts.
 */
export async function calibrateRanges(
  model: OnnxModel,
  frames: Float32Array,
  batch: number,
  segments: number,
  segmentsPerRun = 2,
): Promise<ActivationRanges> {
  const contract = contractFromModel(model);
  const F = contract.focalPlanesUm.length;
  const S = contract.inputSize;
  const image = F * S * S;
  if (frames.length !== batch * segments * image)
    throw new Error(
      `calibration frames hold ${frames.length} values; [${batch},${segments},${F},${S},${S}] needs ${batch * segments * image}`,
    );
  const names = tensorsToCalibrate(model);
  const existing = new Set(model.graph.output.map((o) => o.name));
  const probe: OnnxModel = {
    ...model,
    graph: {
      ...model.graph,
      output: [
        ...model.graph.output,
        ...names.filter((n) => !existing.has(n)).map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
      ],
    },
  };
  const session = await ort.InferenceSession.create(encodeModel(probe), { graphOptimizationLevel: 'basic' });
  const ranges: ActivationRanges = new Map(names.map((n) => [n, [Infinity, -Infinity]]));
  try {
    for (let b = 0; b < batch; b++) {
      for (let t0 = 0; t0 < segments; t0 += segmentsPerRun) {
        const tc = Math.min(segmentsPerRun, segments - t0);
        const chunk = frames.subarray((b * segments + t0) * image, (b * segments + t0 + tc) * image);
        const result = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', chunk, [1, tc, F, S, S]) }, names);
        for (const n of names) {
          const data = result[n].data as Float32Array;
          const r = ranges.get(n)!;
          let lo = r[0];
          let hi = r[1];
          for (let i = 0; i < data.length; i++) {
            const v = data[i];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
          ranges.set(n, [lo, hi]);
        }
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
