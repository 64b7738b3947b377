import * as ort from 'onnxruntime-node';
import { physicalCores } from './host-fingerprint';
import { assertSelfContainedModel } from './onnx/self-contained';

export interface InferenceLogger {
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
}

export const KNOWN_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'webgpu'] as const;

/**
 * The session settings that differ between hosts; which are best is measured per host
 * (run-tuning.ts), not assumed: spinning threads win on an idle machine and lose on a shared one,
 * flushing denormals matters on some CPUs and not others.
 */
export interface SessionTuning {
  /** Intra-op threads (default: physical cores; SMT siblings share one core's FMA units). */
  intraOpThreads: number;
  /** Worker threads spin between kernels instead of sleeping (ORT's default). */
  spinning: boolean;
  /** Flush denormal floats to zero (session.set_denormal_as_zero). */
  denormalAsZero: boolean;
  /** CPU memory arena (and memory pattern planning with it). */
  memArena: boolean;
}

export function defaultSessionTuning(): SessionTuning {
  return { intraOpThreads: physicalCores(), spinning: true, denormalAsZero: false, memArena: true };
}

/** Session options for the AMSNet graphs; `profilePrefix` turns ONNX Runtime's profiler on. */
export function sessionOptions(
  providers: string[],
  tuning: SessionTuning = defaultSessionTuning(),
  profilePrefix?: string,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: tuning.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: tuning.memArena,
    enableMemPattern: tuning.memArena,
    // the Node binding takes flat session config keys with string values
    extra: {
      'session.intra_op.allow_spinning': tuning.spinning ? '1' : '0',
      'session.set_denormal_as_zero': tuning.denormalAsZero ? '1' : '0',
    },
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
  };
}

// A provider that failed to load is not tried again in this process: ONNX Runtime logs its own
// error on every attempt, and the fallback warning should come once, not once per model or job.
const unavailable = new Set<string>();

/**
 * Creates a session with the first providers of the list that load. A GPU provider whose
 * libraries are not installed (onnxruntime-node ships CUDA as a separate download) falls back
 * to the next in the list, or to `cpu`, with one warning. Bytes that would make ONNX Runtime read
 * files (external tensor data) are refused first, whoever stored them and whenever.
 */
export async function createSession(
  model: Uint8Array,
  requested: string[],
  logger?: InferenceLogger,
  tuning?: SessionTuning,
  profilePrefix?: string,
): Promise<{ session: ort.InferenceSession; provider: string }> {
  assertSelfContainedModel(model);
  const list = requested.length ? requested.map((p) => p.trim().toLowerCase()) : ['cpu'];
  for (const p of list)
    if (!(KNOWN_PROVIDERS as readonly string[]).includes(p))
      throw new Error(`unknown execution provider "${p}" (known: ${KNOWN_PROVIDERS.join(', ')})`);
  const candidates = [...list];
  if (!candidates.includes('cpu')) candidates.push('cpu');
  for (let i = 0; i < candidates.length; i++) {
    const provider = candidates[i];
    if (unavailable.has(provider)) continue;
    try {
      const session = await ort.InferenceSession.create(
        model,
        sessionOptions(provider === 'cpu' ? ['cpu'] : [provider, 'cpu'], tuning, profilePrefix),
      );
      return { session, provider };
    } catch (e) {
      if (provider === 'cpu') throw e;
      unavailable.add(provider);
      logger?.warn(
        { provider, next: candidates[i + 1], err: (e as Error).message.split('\n')[0] },
        `execution provider "${provider}" is not available; falling back to "${candidates[i + 1]}"`,
      );
    }
  }
  throw new Error('unreachable: cpu is always a candidate');
}
