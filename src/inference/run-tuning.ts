import { availableParallelism, loadavg } from 'node:os';
import { type HostFingerprint, hostFingerprint, tuningKey } from './host-fingerprint';
import { AmsnetPredictor } from './predictor';
import { type InferenceLogger, type SessionTuning, defaultSessionTuning } from './session-factory';

/** How this host runs one model fastest: session settings and embryo-segments per session run. */
export interface RunTuning {
  session: SessionTuning;
  embryoSegmentsPerRun: number;
}

export interface TuningTrial {
  what: string;
  session: SessionTuning;
  embryoSegmentsPerRun: number;
  /** Median of the timed runs, per embryo-segment. */
  msPerSegment: number;
  samplesMs: number[];
  loadAverage: number;
}

export interface TuningEntry {
  key: string;
  host: HostFingerprint;
  modelSha256: string;
  provider: string;
  tuning: RunTuning;
  measuredAt: string;
  /** 1-minute load average before and after; `underLoad` when other work competed for the cores. */
  loadAverage: [number, number];
  underLoad: boolean;
  trials: TuningTrial[];
}

export interface TuneOptions {
  executionProviders?: string[];
  /** Embryo-segments per run to try (one embryo; 1 = the streaming step). Default 1, 2, 4, 8. */
  chunks?: number[];
  /** Timed runs per trial after one warm-up (the median is kept). Default 3. */
  repeats?: number;
  logger?: InferenceLogger;
  onTrial?: (trial: TuningTrial) => void;
}

/** Other processes' runnable threads beyond what this process itself keeps busy. */
export function isUnderLoad(load1: number, threads = availableParallelism()): boolean {
  return load1 > threads + 0.5;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Deterministic frames in [0, 1]: realistic values, not zeros (zeros would hide denormal costs). */
function probeFrames(n: number): Float32Array {
  const out = new Float32Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = 0.3 + 0.4 * (x / 2 ** 32);
  }
  return out;
}

async function timeRuns(
  predictor: AmsnetPredictor,
  segments: number,
  repeats: number,
): Promise<{ msPerSegment: number; samplesMs: number[] }> {
  const { focalPlanesUm, inputSize: S } = predictor.contract;
  const frames = probeFrames(segments * focalPlanesUm.length * S * S);
  const run = () =>
    predictor.supportsStreaming
      ? predictor.predictFrom(frames, 1, segments, null)
      : predictor.predict(frames, 1, segments);
  await run(); // warm-up: arena growth and kernel selection for this shape
  const samplesMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    samplesMs.push(performance.now() - t0);
  }
  return { msPerSegment: median(samplesMs) / segments, samplesMs };
}

/** A change is kept only when it beats the current best by more than the noise of a shared host. */
const MIN_GAIN = 0.03;

/**
 * Measures on this host which session settings and which chunk size (embryo-segments per session
 * run) run the model fastest, for one embryo. Session settings are tried one at a time on top of
 * the best so far (threads = physical cores, spinning, no denormal flush, arena), each kept only
 * when more than 3 % faster; the chunk sizes include 1, the streaming step, so the tuned whole
 * trajectory is never slower than stepping through it. Medians of `repeats` runs after a warm-up.
 */
export async function tuneRun(onnx: Uint8Array, opts: TuneOptions = {}): Promise<TuningEntry> {
  const providers = opts.executionProviders ?? ['cpu'];
  const repeats = opts.repeats ?? 3;
  const chunks = [...new Set(opts.chunks ?? [1, 2, 4, 8])].sort((a, b) => a - b);
  if (!chunks.length || chunks.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`chunk sizes must be positive integers, got ${chunks.join(',')}`);
  const load0 = loadavg()[0];
  const host = hostFingerprint();
  const trials: TuningTrial[] = [];
  const maxChunk = chunks[chunks.length - 1];
  const probeChunk = Math.min(4, maxChunk);
  let provider = providers[0];
  let modelSha256 = '';

  const trial = async (what: string, session: SessionTuning, chunk: number, p?: AmsnetPredictor) => {
    const predictor =
      p ??
      (await AmsnetPredictor.load(onnx, {
        executionProviders: providers,
        maxBatch: 1,
        maxEmbryoSegmentsPerRun: maxChunk,
        sessionTuning: session,
        logger: opts.logger,
      }));
    try {
      provider = predictor.executionProvider;
      modelSha256 = predictor.sha256;
      const { msPerSegment, samplesMs } = await timeRuns(predictor, chunk, repeats);
      const t: TuningTrial = {
        what,
        session,
        embryoSegmentsPerRun: chunk,
        msPerSegment,
        samplesMs,
        loadAverage: loadavg()[0],
      };
      trials.push(t);
      opts.onTrial?.(t);
      return t;
    } finally {
      if (!p) await predictor.close();
    }
  };

  // 1. Session settings, at a middling chunk size.
  const base = defaultSessionTuning();
  let best = await trial('default settings', base, probeChunk);
  const variations: [string, (s: SessionTuning) => SessionTuning | null][] = [
    ['no spinning', (s) => ({ ...s, spinning: false })],
    ['denormals as zero', (s) => ({ ...s, denormalAsZero: true })],
    [
      `${host.logicalCpus} threads (all logical CPUs)`,
      (s) => (host.logicalCpus !== s.intraOpThreads ? { ...s, intraOpThreads: host.logicalCpus } : null),
    ],
    ['no memory arena', (s) => ({ ...s, memArena: false })],
  ];
  for (const [what, vary] of variations) {
    const session = vary(best.session);
    if (!session) continue;
    const t = await trial(what, session, probeChunk);
    if (t.msPerSegment < best.msPerSegment * (1 - MIN_GAIN)) best = t;
  }

  // 2. Chunk sizes with the chosen settings, one session for all of them.
  let embryoSegmentsPerRun = probeChunk;
  const predictor = await AmsnetPredictor.load(onnx, {
    executionProviders: providers,
    maxBatch: 1,
    maxEmbryoSegmentsPerRun: maxChunk,
    sessionTuning: best.session,
    logger: opts.logger,
  });
  try {
    if (predictor.supportsStreaming) {
      let bestChunk: TuningTrial | null = null;
      for (const c of chunks) {
        const t = await trial(`${c} segment${c > 1 ? 's' : ''} per run`, best.session, c, predictor);
        // a smaller chunk (less activation memory) is kept unless a larger one is clearly faster
        if (!bestChunk || t.msPerSegment < bestChunk.msPerSegment * (1 - MIN_GAIN)) bestChunk = t;
      }
      embryoSegmentsPerRun = bestChunk!.embryoSegmentsPerRun;
    }
  } finally {
    await predictor.close();
  }
  const load1 = loadavg()[0];
  return {
    key: tuningKey(host, modelSha256, provider),
    host,
    modelSha256,
    provider,
    tuning: { session: best.session, embryoSegmentsPerRun },
    measuredAt: new Date().toISOString(),
    loadAverage: [load0, load1],
    underLoad: isUnderLoad(Math.max(load0, load1), best.session.intraOpThreads),
    trials,
  };
}
