import type { AmsnetPredictor } from '../predictor';
import { ModelRefusedError } from './model-refusal';

/** Segments of the probe sequence: enough to change the future at every step after the first. */
export const CAUSALITY_PROBE_SEGMENTS = 4;
/** Outputs differing by more than this count as changed (float32 noise stays far below). */
export const CAUSALITY_TOLERANCE = 1e-5;

/** Deterministic pixels in [0, 1] (a fixed LCG), so a refusal can be reproduced. */
function probeFrames(length: number): Float32Array {
  const out = new Float32Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 0x100000000;
  }
  return out;
}

/**
 * DESIGN.md §6: output t may depend only on segments ≤ t. Scoring relies on it, because it scores a
 * culture that is still running (and pads or streams short sequences): a model that looks ahead
 * would change a probability already shown once more frames arrive, or read the padding. Runs one
 * probe sequence, then for each k = 1…T−1 the same sequence with segments ≥ k replaced, and
 * refuses the model when any output before k moves. Messages never quote the model's outputs.
 */
export async function assertCausal(predictor: AmsnetPredictor): Promise<void> {
  const T = CAUSALITY_PROBE_SEGMENTS;
  const F = predictor.contract.focalPlanesUm.length;
  const S = predictor.contract.inputSize;
  const step = F * S * S;
  const base = probeFrames(T * step);
  let reference: Float32Array;
  try {
    reference = await predictor.predict(base, 1, T);
  } catch {
    throw new ModelRefusedError(
      'run-failed',
      `ONNX Runtime failed running it on a [1, ${T}, ${F}, ${S}, ${S}] sequence (the causality probe)`,
    );
  }
  if (reference.length !== T)
    throw new ModelRefusedError('output-count', `it must give ${T} probabilities for 1 embryo × ${T} segments`);
  for (let k = 1; k < T; k++) {
    const changed = base.slice();
    for (let i = k * step; i < changed.length; i++) changed[i] = 1 - changed[i];
    let output: Float32Array;
    try {
      output = await predictor.predict(changed, 1, T);
    } catch {
      throw new ModelRefusedError('run-failed', 'ONNX Runtime failed running it on the causality probe');
    }
    for (let t = 0; t < k; t++) {
      if (!(Math.abs(output[t] - reference[t]) <= CAUSALITY_TOLERANCE)) {
        throw new ModelRefusedError(
          'not-causal',
          `it is not causal: its output at segment ${t} changes when only segments ≥ ${k} change (the AMSNet contract needs output t to depend on segments ≤ t only)`,
        );
      }
    }
  }
}
