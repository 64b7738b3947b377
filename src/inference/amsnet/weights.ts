import type { FloatTensor } from '../onnx/graph-builder';
import type { SafetensorsEntry } from '../safetensors';
import type { AmsnetConfig } from './config';
import { paramSpecs } from './param-spec';
import { SeededRandom } from './prng';

/** The network's parameters by PyTorch state-dict name (DESIGN.md §6). */
export type StateDict = Map<string, FloatTensor>;

export class WeightsError extends Error {
  override name = 'WeightsError';
}

const shape = (dims: number[]) => `[${dims.join(',')}]`;

/**
 * Checks a weights file against the configuration. PyTorch's `*.num_batches_tracked` counters
 * are ignored (a state dict always has them; inference does not use them).
 */
export function stateDictFromSafetensors(config: AmsnetConfig, entries: Map<string, SafetensorsEntry>): StateDict {
  const specs = paramSpecs(config);
  const expected = new Set(specs.map((s) => s.key));
  const problems: string[] = [];
  const out: StateDict = new Map();
  for (const spec of specs) {
    const entry = entries.get(spec.key);
    if (!entry) {
      problems.push(`missing tensor "${spec.key}" (expected shape ${shape(spec.dims)})`);
      continue;
    }
    if (entry.dims.length !== spec.dims.length || entry.dims.some((d, i) => d !== spec.dims[i])) {
      problems.push(`tensor "${spec.key}" has shape ${shape(entry.dims)}, expected ${shape(spec.dims)}`);
      continue;
    }
    if (!entry.data) {
      problems.push(`tensor "${spec.key}" has dtype ${entry.dtype}; expected F32, F16 or BF16`);
      continue;
    }
    out.set(spec.key, { dims: spec.dims, data: entry.data });
  }
  for (const [key, entry] of entries) {
    if (!expected.has(key) && !key.endsWith('.num_batches_tracked'))
      problems.push(
        `unexpected tensor "${key}" with shape ${shape(entry.dims)} (not part of a ${config.variant} network with these sizes)`,
      );
  }
  if (problems.length)
    throw new WeightsError(
      `weights do not fit ${config.variant} (F=${config.planes.length}, width ${config.width}, blocks ${config.blocks.join(',')}):\n  ${problems.join('\n  ')}`,
    );
  return out;
}

/**
 * A seeded random network as torchvision initialises one: Kaiming-normal convs (fan-out),
 * PyTorch-default uniform linears and biases, BN γ=1, β=0, μ=0, σ²=1. The BN statistics are
 * replaced afterwards by calibrateBatchNorm, or the untrained network saturates.
 */
export function randomStateDict(config: AmsnetConfig, seed: number): StateDict {
  const rng = new SeededRandom(seed);
  const out: StateDict = new Map();
  const specs = paramSpecs(config);
  const fanIn = new Map<string, number>();
  for (const spec of specs)
    if (spec.kind === 'conv' || spec.kind === 'linear.weight')
      fanIn.set(
        spec.key.replace(/\.weight$/, ''),
        spec.dims.slice(1).reduce((a, b) => a * b, 1),
      );
  for (const spec of specs) {
    const n = spec.dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    switch (spec.kind) {
      case 'conv': {
        const std = Math.sqrt(2 / (spec.dims[0] * spec.dims[2] * spec.dims[3]));
        for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
        break;
      }
      case 'linear.weight':
      case 'linear.bias':
      case 'conv.bias': {
        const bound = 1 / Math.sqrt(fanIn.get(spec.key.replace(/\.(weight|bias)$/, '')) ?? 1);
        for (let i = 0; i < n; i++) data[i] = (rng.next() * 2 - 1) * bound;
        break;
      }
      case 'bn.weight':
      case 'bn.running_var':
        data.fill(1);
        break;
      default:
        break; // β and μ start at 0
    }
    out.set(spec.key, { dims: spec.dims, data });
  }
  return out;
}
