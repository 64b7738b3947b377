import { buildAmsnetModel, type BuildOptions } from '../../src/inference/amsnet/build-model';
import type { Variant } from '../../src/inference/amsnet/config';

/** Tiny AMSNet sizes: each build takes milliseconds and each run well under a second. */
export const TINY = { width: 8, blocks: [1, 1, 1, 1] as [number, number, number, number], inputSize: 32 };
export const PLANES_3 = [-15, 0, 15];

export function buildTiny(variant: Variant, extra: Partial<BuildOptions> = {}) {
  return buildAmsnetModel({ variant, planes: PLANES_3, ...TINY, seed: 7, ...extra });
}

/** Deterministic frames in [0,1] (a linear congruential sequence, so tests need no fixtures). */
export function frames(count: number, seed = 1): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}
