import { createHash } from 'node:crypto';
import { readSafetensors } from '../safetensors';
import { type AmsnetConfig, FULL_SIZE, type Variant, validateConfig } from './config';
import { calibrateBatchNorm } from './calibrate-batch-norm';
import type { BatchNormMode } from './emit-context';
import { emitAmsnet } from './emit-graph';
import { foldBatchNorm } from './fold-batch-norm';
import { type StateDict, randomStateDict, stateDictFromSafetensors } from './weights';

/** Metadata key holding what the builder needs to rebuild this graph (e.g. its streaming form). */
export const BUILDER_METADATA_KEY = 'amsnet.builder';
export const BUILDER_VERSION = 1;

export interface BuilderRecord {
  version: number;
  variant: Variant;
  planes: number[];
  width: number;
  blocks: [number, number, number, number];
  inputSize: number;
  bnMode: Exclude<BatchNormMode, 'batch-stats'>;
}

export interface BuildOptions {
  variant: Variant;
  planes: number[];
  width?: number;
  blocks?: [number, number, number, number];
  inputSize?: number;
  /** A `.safetensors` file's bytes or an already checked state dict; absent → seeded random model. */
  weights?: Uint8Array | StateDict;
  seed?: number;
  /** false emits explicit BatchNormalization nodes (the unoptimised reference graph). */
  foldBatchNorm?: boolean;
}

export interface BuiltModel {
  onnx: Uint8Array;
  sha256: string;
  config: AmsnetConfig;
  /** The state dict the graph was built from (calibrated BN statistics for a random model). */
  stateDict: StateDict;
  trained: boolean;
}

export function contractMetadata(
  config: AmsnetConfig,
  trained: boolean,
  bnMode: BuilderRecord['bnMode'],
): Record<string, string> {
  const record: BuilderRecord = {
    version: BUILDER_VERSION,
    variant: config.variant,
    planes: config.planes,
    width: config.width,
    blocks: config.blocks,
    inputSize: config.inputSize,
    bnMode,
  };
  return {
    'amsnet.contract': '1',
    'amsnet.variant': config.variant,
    'amsnet.focal_planes_um': config.planes.join(','),
    'amsnet.input_size': String(config.inputSize),
    'amsnet.segment_hours': '6',
    'amsnet.trained': String(trained),
    [BUILDER_METADATA_KEY]: JSON.stringify(record),
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds the ONNX model of DESIGN.md §6. With weights the model is `trained=true`; without, a
 * seeded random network whose BN statistics come from one pass over synthetic frames
 * (same seed → byte-identical file).
 */
export async function buildAmsnetModel(opts: BuildOptions): Promise<BuiltModel> {
  const config: AmsnetConfig = {
    variant: opts.variant,
    planes: [...opts.planes],
    width: opts.width ?? FULL_SIZE.width,
    blocks: opts.blocks ?? FULL_SIZE.blocks,
    inputSize: opts.inputSize ?? FULL_SIZE.inputSize,
  };
  validateConfig(config);
  const trained = opts.weights !== undefined;
  let stateDict: StateDict;
  if (opts.weights instanceof Map) stateDict = opts.weights;
  else if (opts.weights) stateDict = stateDictFromSafetensors(config, readSafetensors(opts.weights));
  else {
    const seed = opts.seed ?? 0;
    stateDict = await calibrateBatchNorm(config, randomStateDict(config, seed), seed);
  }
  const bnMode = opts.foldBatchNorm === false ? 'node' : 'fold';
  const params = bnMode === 'fold' ? foldBatchNorm(config, stateDict) : stateDict;
  const { g } = emitAmsnet({ config, params, bnMode, form: 'sequence' });
  const onnx = g.encode(contractMetadata(config, trained, bnMode), `amsnet-${config.variant}`);
  return { onnx, sha256: sha256Hex(onnx), config, stateDict, trained };
}
