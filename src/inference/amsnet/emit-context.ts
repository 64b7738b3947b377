import type { FloatTensor, GraphBuilder } from '../onnx/graph-builder';

/**
 * How BatchNormalization is emitted: `fold` (scaled conv weights + bias: the fast graph),
 * `node` (an explicit BatchNormalization op with the state dict's statistics: the unoptimised
 * reference), `batch-stats` (normalise with the batch's own mean/variance and expose them as
 * outputs: one forward pass gives the random model's BN statistics).
 */
export type BatchNormMode = 'fold' | 'node' | 'batch-stats';

/** `sequence`: whole trajectories [B,T,…], zeros before t=0. `stream`: a chunk of new segments plus carried state. */
export type GraphForm = 'sequence' | 'stream';

/** One temporal-shift site: the fold channels of a block's input at the last segment seen. */
export interface StateSite {
  name: string;
  input: string;
  output: string;
  /** [planes, fold·H·W]; the state tensor is [B, 1, planes, fold·H·W]. */
  planes: number;
  size: number;
}

export interface CalibrationOutput {
  bnKey: string;
  mean: string;
  variance: string;
}

export interface EmitContext {
  g: GraphBuilder;
  /** State-dict tensors for `node`/`batch-stats`; folded conv weights and biases for `fold`. */
  params: Map<string, FloatTensor>;
  bnMode: BatchNormMode;
  form: GraphForm;
  /** int64 [1]: the number of segments T in this run. */
  seqLen: string;
  stateSites: StateSite[];
  calibration: CalibrationOutput[];
  /** Shape tensors that depend on T, built once per graph. */
  shapeCache: Map<string, string>;
}

export function createEmitContext(
  g: GraphBuilder,
  params: Map<string, FloatTensor>,
  bnMode: BatchNormMode,
  form: GraphForm,
  seqLen: string,
): EmitContext {
  return { g, params, bnMode, form, seqLen, stateSites: [], calibration: [], shapeCache: new Map() };
}

/** T taken from dimension 1 of a [B, T, …] graph input. */
export function seqLenOf(g: GraphBuilder, input: string): string {
  return g.op('Shape', [input], { start: 1, end: 2 }, 'seq_len');
}

/** Registers a parameter as an initializer under its own name (so a rebuild finds it again). */
export function param(ctx: EmitContext, key: string): string {
  if (ctx.g.hasInitializer(key)) return key;
  const t = ctx.params.get(key);
  if (!t) throw new Error(`graph parameter "${key}" is missing`);
  return ctx.g.initializer(key, t);
}

/** A reshape target [-1, T, …rest] (T dynamic), cached per graph. */
export function seqShape(ctx: EmitContext, rest: number[]): string {
  const key = rest.join(',');
  let name = ctx.shapeCache.get(key);
  if (!name) {
    name = ctx.g.op('Concat', [ctx.g.int64([-1]), ctx.seqLen, ctx.g.int64(rest)], { axis: 0 }, 'seq_shape');
    ctx.shapeCache.set(key, name);
  }
  return name;
}

/** Symbolic name of the leading dimension B·T·planes, shared by every tensor that has it. */
export function imagesDim(planes: number): string {
  return planes > 1 ? `segments_x${planes}` : 'segments_total';
}
