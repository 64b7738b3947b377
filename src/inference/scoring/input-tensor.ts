import { preprocessInto } from '../preprocess';
import type { EmbryoPlan } from './scoring-plan';

/**
 * A batch of embryos as one model input, with the plans it was built from. Segments
 * `from`…`from+segments−1` are in it: all of them for a whole-sequence run (`from` = 0), only the
 * new ones when a stored streaming state covers the earlier ones.
 */
export interface InputBatch {
  /** Per embryo, a reason when its frames could not be decoded (it is left out of `tensor`). */
  failed: Map<string, string>;
  /** Plans actually in the tensor, in order. */
  included: EmbryoPlan[];
  /** `batch-major` [B,T,F,S,S] for predict(); `time-major` [T,B,F,S,S] so each streaming step is one slice. */
  layout: 'batch-major' | 'time-major';
  tensor: Float32Array;
  from: number;
  segments: number;
  readMs: number;
  /** Wall time spent decoding and resizing. */
  preprocessMs: number;
}

type ImageSource = (sha256s: string[]) => Promise<Map<string, { bytes: Buffer }>>;

/**
 * Builds the input of a batch: each distinct image is decoded once (an imputed segment repeats a
 * frame), all in flight together on the libuv pool, and copied into the tensor. Shorter
 * trajectories are padded by repeating their last segment: the model is causal, so the padding
 * never changes the outputs that are kept (streaming batches have equal lengths, see the service).
 */
export async function buildInputBatch(
  plans: EmbryoPlan[],
  inputSize: number,
  readImages: ImageSource,
  options: { from?: number; layout?: InputBatch['layout'] } = {},
): Promise<InputBatch> {
  const from = options.from ?? 0;
  const layout = options.layout ?? 'batch-major';
  const readStart = performance.now();
  const fed = (p: EmbryoPlan) => p.samples.slice(from);
  const wanted = [...new Set(plans.flatMap((p) => fed(p).flatMap((s) => s.frames.map((f) => f.sha256))))];
  const images = await readImages(wanted);
  const readMs = performance.now() - readStart;

  const start = performance.now();
  const plane = inputSize * inputSize;
  const decoded = new Map<string, Promise<Float32Array>>();
  const decode = (sha256: string): Promise<Float32Array> => {
    let pending = decoded.get(sha256);
    if (!pending) {
      const image = images.get(sha256);
      pending = image
        ? (async () => {
            const out = new Float32Array(plane);
            await preprocessInto(image.bytes, inputSize, out, 0);
            return out;
          })()
        : Promise.reject(new Error(`frame image ${sha256.slice(0, 12)}… is missing`));
      pending.catch(() => undefined);
      decoded.set(sha256, pending);
    }
    return pending;
  };

  const failed = new Map<string, string>();
  const perEmbryo = await Promise.all(
    plans.map(async (plan) => {
      try {
        return await Promise.all(fed(plan).map((s) => Promise.all(s.frames.map((f) => decode(f.sha256)))));
      } catch (error) {
        failed.set(plan.embryoId, (error as Error).message);
        return null;
      }
    }),
  );
  const kept = perEmbryo.filter((x): x is Float32Array[][] => x !== null);
  const included = plans.filter((_, i) => perEmbryo[i] !== null);
  const segments = Math.max(0, ...included.map((p) => p.segments - from));
  const planes = kept[0]?.[0]?.length ?? 0;
  const B = included.length;
  const tensor = new Float32Array(B * segments * planes * plane);
  kept.forEach((segmentsOfEmbryo, b) => {
    for (let t = 0; t < segments; t++) {
      const seg = segmentsOfEmbryo[Math.min(t, segmentsOfEmbryo.length - 1)];
      const base = (layout === 'batch-major' ? b * segments + t : t * B + b) * planes * plane;
      seg.forEach((values, f) => tensor.set(values, base + f * plane));
    }
  });
  return { failed, included, layout, tensor, from, segments, readMs, preprocessMs: performance.now() - start };
}
