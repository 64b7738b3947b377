import { GraphBuilder } from '../onnx/graph-builder';
import type { FloatTensor } from '../onnx/graph-builder';
import { type AmsnetConfig, planesPerImage, usesMfs, usesShift } from './config';
import {
  type BatchNormMode,
  type EmitContext,
  type GraphForm,
  createEmitContext,
  imagesDim,
  param,
  seqLenOf,
  seqShape,
} from './emit-context';
import {
  channelAttention,
  convBn,
  convBnParts,
  delayOneSegment,
  foldChannels,
  nonLocal,
  sliceChannels,
} from './layers';
import { type BlockSpec, blockSpecs } from './param-spec';

/** Mean and standard deviation of the pixel values (DESIGN.md §6: the graph's first op). */
export const PIXEL_MEAN = 0.449;
export const PIXEL_STD = 0.226;

export interface SpatialSize {
  height: number;
  width: number;
}

/**
 * An activation kept as two tensors: the fold channels [0, ⌊C/8⌋) that the next block shifts in
 * time, and the rest. Keeping them apart means the shift touches only 1/8 of the data and never
 * forces ONNX Runtime to convert a whole tensor out of its blocked (NCHWc) layout; convs read
 * both parts (a sum of two convs) and write both parts (two convs).
 */
export interface SplitActivation {
  fold: string;
  rest: string;
  channels: number;
}

/** One bottleneck: the residual branch sees the shifted input, identity/downsample the unshifted one. */
export function bottleneck(
  ctx: EmitContext,
  x: SplitActivation,
  b: BlockSpec,
  size: SpatialSize,
  planes: number,
  shift: boolean,
): { out: SplitActivation; size: SpatialSize } {
  const { g } = ctx;
  const kIn = foldChannels(b.inChannels);
  const kOut = foldChannels(b.outChannels);
  const foldIn = shift
    ? delayOneSegment(ctx, x.fold, { channels: kIn, height: size.height, width: size.width, planes }, b.prefix)
    : x.fold;
  const inputParts = (fold: string) => [
    { x: x.rest, channels: [kIn, b.inChannels] as [number, number] },
    { x: fold, channels: [0, kIn] as [number, number] },
  ];
  let y = convBnParts(ctx, inputParts(foldIn), `${b.prefix}.conv1.weight`, `${b.prefix}.bn1`, { kernel: 1 }, true)[0];
  y = convBn(ctx, y, `${b.prefix}.conv2.weight`, `${b.prefix}.bn2`, { kernel: 3, stride: b.stride, pad: 1 }, true);
  const [yFold, yRest] = convBnParts(
    ctx,
    [{ x: y }],
    `${b.prefix}.conv3.weight`,
    `${b.prefix}.bn3`,
    { kernel: 1 },
    false,
    false,
    kOut,
  );
  const [idFold, idRest] = b.downsample
    ? convBnParts(
        ctx,
        inputParts(x.fold),
        `${b.prefix}.downsample.0.weight`,
        `${b.prefix}.downsample.1`,
        { kernel: 1, stride: b.stride },
        false,
        false,
        kOut,
      )
    : [x.fold, x.rest];
  const out = {
    fold: g.op('Relu', [g.op('Add', [yFold, idFold], {}, `${b.prefix}.sum`)], {}, `${b.prefix}.fold`),
    rest: g.op('Relu', [g.op('Add', [yRest, idRest], {}, `${b.prefix}.sum`)], {}, `${b.prefix}.rest`),
    channels: b.outChannels,
  };
  const next = b.stride === 1 ? size : { height: Math.ceil(size.height / 2), width: Math.ceil(size.width / 2) };
  return { out, size: next };
}

function joinChannels(ctx: EmitContext, x: SplitActivation): string {
  return ctx.g.op('Concat', [x.fold, x.rest], { axis: 1 }, 'joined');
}

function splitChannels(ctx: EmitContext, x: string, channels: number): SplitActivation {
  const k = foldChannels(channels);
  return { fold: sliceChannels(ctx, x, 0, k), rest: sliceChannels(ctx, x, k, channels), channels };
}

/** frames [B,T,F,S,S] → stem input [B·T·planes, channels, S, S], normalised. */
function stemInput(ctx: EmitContext, frames: string, config: AmsnetConfig): string {
  const { g } = ctx;
  const S = config.inputSize;
  const F = config.planes.length;
  let images: string;
  if (config.variant === 'baseline') {
    const middle = g.op('Gather', [frames, g.int64([Math.floor(F / 2)])], { axis: 2 }, 'middle_plane');
    images = g.op('Reshape', [middle, g.int64([-1, 1, S, S])], {}, 'images');
  } else {
    images = g.op('Reshape', [frames, g.int64(config.variant === 'tsm' ? [-1, F, S, S] : [-1, 1, S, S])], {}, 'images');
  }
  g.shape(images, [imagesDim(planesPerImage(config)), config.variant === 'tsm' ? F : 1, S, S]);
  return g.op('Div', [g.op('Sub', [images, g.float([PIXEL_MEAN], [])]), g.float([PIXEL_STD], [])], {}, 'normalised');
}

export interface EmitOptions {
  config: AmsnetConfig;
  params: Map<string, FloatTensor>;
  bnMode: BatchNormMode;
  form: GraphForm;
}

export interface EmittedGraph {
  g: GraphBuilder;
  ctx: EmitContext;
}

/** The whole AMSNet graph (DESIGN.md §6) for one configuration, BN mode and form. */
export function emitAmsnet({ config, params, bnMode, form }: EmitOptions): EmittedGraph {
  const g = new GraphBuilder();
  const F = config.planes.length;
  const S = config.inputSize;
  const frames = g.input('frames', ['batch', 'segments', F, S, S]);
  const ctx = createEmitContext(g, params, bnMode, form, seqLenOf(g, frames));
  const shift = usesShift(config.variant);
  const mfs = usesMfs(config.variant);

  const [stemFold, stemRest] = convBnParts(
    ctx,
    [{ x: stemInput(ctx, frames, config) }],
    'conv1.weight',
    'bn1',
    { kernel: 7, stride: 2, pad: 3 },
    true,
    false,
    foldChannels(config.width),
  );
  const maxPool = (v: string) =>
    g.op('MaxPool', [v], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'maxpool');
  let x: SplitActivation = { fold: maxPool(stemFold), rest: maxPool(stemRest), channels: config.width };
  let size: SpatialSize = { height: Math.ceil(S / 4), width: Math.ceil(S / 4) };

  const stages = blockSpecs(config);
  for (let l = 0; l < 4; l++) {
    const planes = l === 0 ? planesPerImage(config) : 1;
    for (const b of stages[l]) ({ out: x, size } = bottleneck(ctx, x, b, size, planes, shift));
    if (l === 0 && mfs) {
      const c1 = config.width * 4;
      const u = g.shape(
        g.op('Reshape', [joinChannels(ctx, x), g.int64([-1, F * c1, size.height, size.width])], {}, 'mfs.u'),
        [imagesDim(1), F * c1, size.height, size.width],
      );
      let fm = convBn(ctx, channelAttention(ctx, u), 'mfs.reduce.0.weight', 'mfs.reduce.1', { kernel: 1 }, true);
      if (config.variant === 'amsnet') fm = nonLocal(ctx, fm, c1, size.height, size.width);
      x = splitChannels(ctx, fm, c1);
    }
  }

  // Average pooling is per channel, so the parts are pooled before they are joined.
  const pool = (v: string) => g.op('GlobalAveragePool', [v]);
  const pooled = g.op('Flatten', [g.op('Concat', [pool(x.fold), pool(x.rest)], { axis: 1 })], { axis: 1 }, 'pooled');
  const logit = g.op('Gemm', [pooled, param(ctx, 'fc.weight'), param(ctx, 'fc.bias')], { transB: 1 }, 'fc');
  const probabilities = g.op('Sigmoid', [logit], {}, 'sigmoid');
  // Sigmoid gives [B·T, 1]; the contract's output is [B, T].
  const shaped = g.op('Reshape', [probabilities, seqShape(ctx, [])], {}, 'probabilities_bt');
  g.output('probabilities', shaped, ['batch', 'segments']);
  for (const c of ctx.calibration) {
    g.output(`calib.${c.bnKey}.mean`, c.mean);
    g.output(`calib.${c.bnKey}.var`, c.variance);
  }
  return { g, ctx };
}
