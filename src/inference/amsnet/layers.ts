import type { EmitContext } from './emit-context';
import { imagesDim, param, seqShape } from './emit-context';

const BN_EPS = 1e-5;
const INT64_END = Number.MAX_SAFE_INTEGER;

export interface ConvGeometry {
  kernel: number;
  stride?: number;
  pad?: number;
}

/** The folded bias of a conv whose BN was folded: `layer1.0.conv1.weight` → `layer1.0.conv1.bias`. */
export function foldedBiasKey(convKey: string): string {
  return convKey.replace(/\.weight$/, '.bias');
}

function conv(
  ctx: EmitContext,
  x: string,
  weight: string,
  bias: string | null,
  geo: ConvGeometry,
  hint: string,
): string {
  const pad = geo.pad ?? 0;
  const stride = geo.stride ?? 1;
  return ctx.g.op(
    'Conv',
    bias ? [x, weight, bias] : [x, weight],
    { kernel_shape: [geo.kernel, geo.kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    hint,
  );
}

function batchStats(ctx: EmitContext, x: string, bnKey: string): string {
  const { g } = ctx;
  const mean = g.op('ReduceMean', [x], { axes: [0, 2, 3], keepdims: 1 }, `${bnKey}.mean`);
  const centred = g.op('Sub', [x, mean]);
  const variance = g.op(
    'ReduceMean',
    [g.op('Mul', [centred, centred])],
    { axes: [0, 2, 3], keepdims: 1 },
    `${bnKey}.var`,
  );
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.float([BN_EPS], [])])])]);
  const axes = g.int64([1, 2]);
  const gamma = g.op('Unsqueeze', [param(ctx, `${bnKey}.weight`), axes]);
  const beta = g.op('Unsqueeze', [param(ctx, `${bnKey}.bias`), axes]);
  ctx.calibration.push({ bnKey, mean, variance });
  return g.op('Add', [g.op('Mul', [g.op('Mul', [centred, inv]), gamma]), beta], {}, bnKey);
}

/**
 * conv → BN (→ ReLU). With folded BN this is a single Conv with bias, which ONNX Runtime fuses
 * with the ReLU (and with a following residual Add).
 */
export function convBn(
  ctx: EmitContext,
  x: string,
  convKey: string,
  bnKey: string,
  geo: ConvGeometry,
  relu: boolean,
  convHasBias = false,
): string {
  return convBnParts(ctx, [{ x }], convKey, bnKey, geo, relu, convHasBias)[0];
}

/** A weight or bias, or a slice of one along `axis` (ONNX Runtime folds the Slice at load time). */
function paramSlice(ctx: EmitContext, key: string, axis: number, range: [number, number] | null): string {
  const name = param(ctx, key);
  if (!range) return name;
  const { g } = ctx;
  return g.op(
    'Slice',
    [name, g.int64([range[0]]), g.int64([range[1]]), g.int64([axis])],
    {},
    `${key}[${range[0]}:${range[1]}]`,
  );
}

/** An input of a conv whose input channels come as separate tensors: `channels` = its range of W's axis 1. */
export interface ConvInputPart {
  x: string;
  channels?: [number, number];
}

/**
 * conv(concat(parts)) → BN (→ ReLU) without materialising the concatenation: a 1×1 conv over
 * channel-split input is the sum of convs over each part (ONNX Runtime fuses that Add into the
 * conv). `outputSplit` returns the output channels as [0, k) and [k, C) from two convs, so
 * the next block can shift its fold channels without slicing a whole tensor.
 */
export function convBnParts(
  ctx: EmitContext,
  parts: ConvInputPart[],
  convKey: string,
  bnKey: string,
  geo: ConvGeometry,
  relu: boolean,
  convHasBias = false,
  outputSplit: number | null = null,
): string[] {
  const { g } = ctx;
  const outChannels = ctx.params.get(convKey)?.dims[0];
  if (outChannels === undefined) throw new Error(`graph parameter "${convKey}" is missing`);
  const ranges: ([number, number] | null)[] =
    outputSplit === null
      ? [null]
      : [
          [0, outputSplit],
          [outputSplit, outChannels],
        ];
  const activate = (y: string) => (relu ? g.op('Relu', [y]) : y);
  if (ctx.bnMode !== 'fold') {
    // Reference and calibration graphs: whole convs and explicit BN; speed does not matter here.
    let y = sumOfConvs(ctx, parts, convKey, null, convHasBias ? param(ctx, foldedBiasKey(convKey)) : null, geo);
    if (ctx.bnMode === 'node') {
      y = g.op(
        'BatchNormalization',
        [y, ...['weight', 'bias', 'running_mean', 'running_var'].map((s) => param(ctx, `${bnKey}.${s}`))],
        { epsilon: BN_EPS },
        bnKey,
      );
    } else {
      y = batchStats(ctx, y, bnKey);
    }
    y = activate(y);
    return ranges.map((r) =>
      r ? g.op('Slice', [y, g.int64([r[0]]), g.int64([r[1]]), g.int64([1])], {}, `${convKey}.out[${r[0]}:${r[1]}]`) : y,
    );
  }
  return ranges.map((r) =>
    activate(sumOfConvs(ctx, parts, convKey, r, paramSlice(ctx, foldedBiasKey(convKey), 0, r), geo)),
  );
}

function sumOfConvs(
  ctx: EmitContext,
  parts: ConvInputPart[],
  convKey: string,
  outRange: [number, number] | null,
  bias: string | null,
  geo: ConvGeometry,
): string {
  const { g } = ctx;
  let sum: string | null = null;
  parts.forEach((part, i) => {
    let w = paramSlice(ctx, convKey, 0, outRange);
    if (part.channels)
      w = g.op(
        'Slice',
        [w, g.int64([part.channels[0]]), g.int64([part.channels[1]]), g.int64([1])],
        {},
        `${convKey}[:,${part.channels[0]}:${part.channels[1]}]`,
      );
    // The bias goes with the first conv; the others add into it.
    const y = conv(ctx, part.x, w, i === 0 ? bias : null, geo, convKey);
    sum = sum === null ? y : g.op('Add', [sum, y], {}, `${convKey}.sum`);
  });
  return sum!;
}

export interface ShiftShape {
  channels: number;
  height: number;
  width: number;
  /** Images per segment in the leading dimension (F in layer1 of the MFS variants, else 1). */
  planes: number;
}

/** ⌊C/8⌋: the channels TSM moves along time. */
export function foldChannels(channels: number): number {
  return Math.floor(channels / 8);
}

/**
 * Delays every channel of x = [B·T·planes, C, H, W] by one segment: the value at t is the one at
 * t−1. x is viewed as [B, T, planes, C·H·W] (free); in `sequence` form the step before t=0 is
 * zeros, in `stream` form it is the carried state and the last step of this run is the new state.
 * The builder calls it on the fold channels only, which it keeps as a separate tensor.
 */
export function delayOneSegment(ctx: EmitContext, x: string, s: ShiftShape, site: string): string {
  const { g } = ctx;
  const k = s.channels * s.height * s.width;
  const axis1 = g.int64([1]);
  const view = g.op('Reshape', [x, seqShape(ctx, [s.planes, k])], {}, `${site}.view`);
  let withPrevious: string;
  if (ctx.form === 'sequence') {
    withPrevious = g.op('Pad', [view, g.int64([0, 1, 0, 0, 0, 0, 0, 0])], {}, `${site}.pad`);
  } else {
    const input = g.input(`state.${site}`, ['batch', 1, s.planes, k]);
    withPrevious = g.op('Concat', [input, view], { axis: 1 }, `${site}.carry`);
    const last = g.op('Slice', [view, g.int64([-1]), g.int64([INT64_END]), axis1], {}, `${site}.last`);
    const output = `state_out.${site}`;
    g.output(output, last, ['batch', 1, s.planes, k]);
    ctx.stateSites.push({ name: site, input, output, planes: s.planes, size: k });
  }
  const shifted = g.op('Slice', [withPrevious, g.int64([0]), g.int64([-1]), axis1], {}, `${site}.shifted`);
  const out = g.op('Reshape', [shifted, g.int64([-1, s.channels, s.height, s.width])], {}, `${site}.out`);
  return g.shape(out, [imagesDim(s.planes), s.channels, s.height, s.width]);
}

/** Channels [from, to) of an NCHW tensor. */
export function sliceChannels(ctx: EmitContext, x: string, from: number, to: number): string {
  const { g } = ctx;
  return g.op('Slice', [x, g.int64([from]), g.int64([to]), g.int64([1])], {}, `channels[${from}:${to}]`);
}

/**
 * Channel attention of MFS on U = [N, C, H, W]: a = σ(MLP(avgpool U) + MLP(maxpool U)),
 * MLP = Linear – ReLU – Linear (shared), returns U·a.
 */
export function channelAttention(ctx: EmitContext, u: string): string {
  const { g } = ctx;
  const mlp = (v: string) => {
    const h = g.op('Relu', [
      g.op(
        'Gemm',
        [v, param(ctx, 'mfs.attention.mlp.0.weight'), param(ctx, 'mfs.attention.mlp.0.bias')],
        { transB: 1 },
        'mfs.mlp0',
      ),
    ]);
    return g.op(
      'Gemm',
      [h, param(ctx, 'mfs.attention.mlp.2.weight'), param(ctx, 'mfs.attention.mlp.2.bias')],
      { transB: 1 },
      'mfs.mlp2',
    );
  };
  const avg = g.op('Flatten', [g.op('GlobalAveragePool', [u])], { axis: 1 });
  const max = g.op('Flatten', [g.op('GlobalMaxPool', [u])], { axis: 1 });
  const a = g.op('Sigmoid', [g.op('Add', [mlp(avg), mlp(max)])], {}, 'mfs.attention');
  return g.op('Mul', [u, g.op('Unsqueeze', [a, g.int64([2, 3])])], {}, 'mfs.weighted');
}

/**
 * Gaussian non-local block without θ/φ on Fm = [N, C, H, W]: attention = softmax_j(xᵢ·xⱼ)
 * (ONNX Softmax subtracts the row maximum), y = attention · g(x), out = BN(W(y)) + Fm.
 * Cost, per image: the logits are a Gram matrix XᵀX, so of its 2×2 blocks the lower-left one is
 * the transpose of the upper-right one (¼ of the n²·C product saved for an n²/4 transpose);
 * softmax is per row, so the top and bottom row blocks are handled apart and only the small
 * results are joined; g runs before the n² product because it halves the channels it carries.
 */
export function nonLocal(ctx: EmitContext, fm: string, channels: number, height: number, width: number): string {
  const { g } = ctx;
  const n = height * width;
  const half = channels / 2;
  const x = g.op('Reshape', [fm, g.int64([0, channels, n])], {}, 'nl.x');
  const xt = g.op('Transpose', [x], { perm: [0, 2, 1] }, 'nl.xt');
  const gx = conv(
    ctx,
    fm,
    param(ctx, 'mfs.nonlocal.g.weight'),
    param(ctx, 'mfs.nonlocal.g.bias'),
    { kernel: 1 },
    'nl.g',
  );
  const gt = g.op('Transpose', [g.op('Reshape', [gx, g.int64([0, half, n])])], { perm: [0, 2, 1] }, 'nl.gt');
  const attend = (logits: string) =>
    g.op('MatMul', [g.op('Softmax', [logits], { axis: -1 }, 'nl.attention'), gt], {}, 'nl.yt');
  const yt = g.op('Concat', gramRowBlocks(ctx, x, xt, n).map(attend), { axis: 1 }, 'nl.yt');
  const y = g.op('Transpose', [yt], { perm: [0, 2, 1] }, 'nl.y');
  const yImage = g.shape(g.op('Reshape', [y, g.int64([0, half, height, width])], {}, 'nl.y_image'), [
    imagesDim(1),
    half,
    height,
    width,
  ]);
  const z = convBn(ctx, yImage, 'mfs.nonlocal.W.0.weight', 'mfs.nonlocal.W.1', { kernel: 1 }, false, true);
  return g.op('Add', [z, fm], {}, 'nl.out');
}

/** XᵀX for x = [N, C, n] (xt = its transpose) as its top and bottom row blocks, from three of its four blocks. */
function gramRowBlocks(ctx: EmitContext, x: string, xt: string, n: number): string[] {
  const { g } = ctx;
  const h = Math.floor(n / 2);
  if (h === 0) return [g.op('MatMul', [xt, x], {}, 'nl.logits')];
  const rows = (from: number, to: number) =>
    g.op('Slice', [xt, g.int64([from]), g.int64([to]), g.int64([1])], {}, 'nl.xt_rows');
  const cols = (from: number, to: number) =>
    g.op('Slice', [x, g.int64([from]), g.int64([to]), g.int64([2])], {}, 'nl.x_cols');
  const [top, bottom] = [rows(0, h), rows(h, n)];
  const [left, right] = [cols(0, h), cols(h, n)];
  const a12 = g.op('MatMul', [top, right], {}, 'nl.logits12');
  const a21 = g.op('Transpose', [a12], { perm: [0, 2, 1] }, 'nl.logits21');
  return [
    g.op('Concat', [g.op('MatMul', [top, left], {}, 'nl.logits11'), a12], { axis: 2 }, 'nl.logits_top'),
    g.op('Concat', [a21, g.op('MatMul', [bottom, right], {}, 'nl.logits22')], { axis: 2 }, 'nl.logits_bottom'),
  ];
}
