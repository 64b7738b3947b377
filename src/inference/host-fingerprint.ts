import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import * as ort from 'onnxruntime-node';

/**
 * What makes one host's best ONNX Runtime settings differ from another's: the CPU (model and the
 * SIMD extensions ONNX Runtime's kernels dispatch on), how many threads this process may use, and
 * the ONNX Runtime build. A tuning measured on an AVX2-only AMD EPYC says nothing about a Xeon
 * with AVX-512/VNNI/AMX, so the fingerprint keys the tuning cache.
 */
export interface HostFingerprint {
  cpuModel: string;
  /** The SIMD/matrix extensions among SIMD_FLAGS that /proc/cpuinfo lists, sorted. */
  cpuFlags: string[];
  /** Logical CPUs this process may run on (affinity and cgroup limits included). */
  logicalCpus: number;
  physicalCores: number;
  ortVersion: string;
}

/** The CPU features MLAS (ONNX Runtime's kernels) selects code paths by. */
export const SIMD_FLAGS = [
  'sse4_1',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx_vnni',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx512_bf16',
  'avx512_fp16',
  'amx_tile',
  'amx_int8',
  'amx_bf16',
  'asimd',
  'asimddp',
  'sve',
  'i8mm',
];

function cpuinfoFlags(): Set<string> {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
    return new Set(line ? line.split(':')[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/**
 * Physical cores among the CPUs this process may use: SMT siblings share one core's execution
 * units, and a GEMM-bound graph gains nothing from a second thread on the same core. Falls back
 * to the logical count where the topology cannot be read.
 */
export function physicalCores(): number {
  const logical = availableParallelism();
  try {
    const cores = new Set<string>();
    for (const entry of readdirSync('/sys/devices/system/cpu')) {
      if (!/^cpu\d+$/.test(entry)) continue;
      const base = `/sys/devices/system/cpu/${entry}/topology`;
      const pkg = readFileSync(`${base}/physical_package_id`, 'utf8').trim();
      const core = readFileSync(`${base}/core_id`, 'utf8').trim();
      cores.add(`${pkg}:${core}`);
    }
    // /sys lists every CPU of the machine; a container may be allowed fewer of them.
    const smt = cpus().length / Math.max(1, cores.size);
    return Math.max(1, Math.min(cores.size, Math.round(logical / Math.max(1, smt))));
  } catch {
    return logical;
  }
}

export function hostFingerprint(): HostFingerprint {
  const flags = cpuinfoFlags();
  return {
    cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
    cpuFlags: SIMD_FLAGS.filter((f) => flags.has(f)).sort(),
    logicalCpus: availableParallelism(),
    physicalCores: physicalCores(),
    ortVersion: ort.env.versions.common ?? 'unknown',
  };
}

/** The cache key of one model on one host (and execution provider). */
export function tuningKey(host: HostFingerprint, modelSha256: string, provider: string): string {
  return createHash('sha256').update(JSON.stringify({ host, modelSha256, provider })).digest('hex').slice(0, 32);
}
