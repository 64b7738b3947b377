import * as ort from 'onnxruntime-node';
import type { AmsnetConfig } from './config';
import { emitAmsnet } from './emit-graph';
import { SeededRandom } from './prng';
import type { StateDict } from './weights';

/** Rounded to 12 significant bits so tiny float differences between CPUs give the same bytes. */
function roundStat(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const q = 2 ** (Math.floor(Math.log2(Math.abs(v))) - 11);
  return Math.round(v / q) * q;
}

/**
 * Synthetic frames in [0,1]: a bright textured disc (the embryo) on a darker background, with
 * pixel noise whose strength varies from image to image (from nearly clean to pure noise), so
 * the calibrated statistics cover both smooth and grainy inputs.
 */
export function syntheticFrames(config: AmsnetConfig, batch: number, segments: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed ^ 0x5eed);
  const S = config.inputSize;
  const F = config.planes.length;
  const out = new Float32Array(batch * segments * F * S * S);
  let at = 0;
  for (let i = 0; i < batch * segments * F; i++) {
    const cx = S * (0.4 + 0.2 * rng.next());
    const cy = S * (0.4 + 0.2 * rng.next());
    const r = S * (0.25 + 0.1 * rng.next());
    const noise = (i % 4) / 3; // 0, ⅓, ⅔, 1: clean … pure noise
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        const base = d < 1 ? 0.55 + 0.2 * Math.cos(d * 9) : 0.3;
        out[at++] = Math.min(1, Math.max(0, (1 - noise) * base + noise * rng.next()));
      }
    }
  }
  return out;
}

/**
 * Sets every BN's running mean/variance to the batch statistics of one forward pass over
 * synthetic frames (each BN normalising with its own batch statistics, as PyTorch does in train
 * mode), so an untrained network's outputs stay in a usable range. Returns a new state dict.
 */
export async function calibrateBatchNorm(config: AmsnetConfig, sd: StateDict, seed: number): Promise<StateDict> {
  const { g, ctx } = emitAmsnet({ config, params: sd, bnMode: 'batch-stats', form: 'sequence' });
  const batch = 2;
  const segments = 2;
  // One thread: the statistics then do not depend on how work is split between threads.
  const session = await ort.InferenceSession.create(g.encode(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'basic',
  });
  try {
    const S = config.inputSize;
    const frames = new ort.Tensor('float32', syntheticFrames(config, batch, segments, seed), [
      batch,
      segments,
      config.planes.length,
      S,
      S,
    ]);
    const results = await session.run({ frames });
    const out: StateDict = new Map(sd);
    for (const c of ctx.calibration) {
      const mean = results[`calib.${c.bnKey}.mean`].data as Float32Array;
      const variance = results[`calib.${c.bnKey}.var`].data as Float32Array;
      out.set(`${c.bnKey}.running_mean`, { dims: [mean.length], data: Float32Array.from(mean, roundStat) });
      out.set(`${c.bnKey}.running_var`, { dims: [variance.length], data: Float32Array.from(variance, roundStat) });
    }
    return out;
  } finally {
    await session.release();
  }
}
