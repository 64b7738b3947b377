import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildAmsnetModel, sha256Hex } from '../amsnet/build-model';
import type { Variant } from '../amsnet/config';
import { type TrainerEvent, findTrainerPython, runTrainerModule } from './python-trainer';

/** What `amsnet train` asks of the trainer (undefined: the trainer's default). */
export interface TrainRequest {
  dataset: string;
  out: string;
  variant?: Variant;
  planes?: number[];
  width?: number;
  blocks?: number[];
  inputSize?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  schedule?: 'cosine' | 'step' | 'constant';
  patience?: number;
  seed?: number;
  device?: string;
  threads?: number;
  init?: string;
  maxBatches?: number;
  resume?: boolean;
}

/** The trainer's manifest.json (written by training/amsnet_training/train.py), with the built model added. */
export interface TrainingManifest {
  kind: 'amsnet-training';
  model: { variant: Variant; planes: number[]; width: number; blocks: number[]; inputSize: number };
  dataset: {
    manifestSha256: string;
    synthetic: boolean;
    splits: Record<string, { embryos: number; blastocysts: number }>;
  };
  validation: { accuracyAuc: number | null; roc: Array<{ day: number; auc: number | null }> };
  bestEpoch: number;
  epochsRun: number;
  seed: number;
  weightsSha256?: string;
  onnx?: { file: string; sha256: string };
  [field: string]: unknown;
}

export interface TrainedModel {
  outDir: string;
  manifest: TrainingManifest;
  onnx: Uint8Array;
}

const FLAGS: Array<[keyof TrainRequest, string]> = [
  ['variant', '--variant'],
  ['width', '--width'],
  ['inputSize', '--input-size'],
  ['epochs', '--epochs'],
  ['batchSize', '--batch-size'],
  ['lr', '--lr'],
  ['momentum', '--momentum'],
  ['weightDecay', '--weight-decay'],
  ['schedule', '--schedule'],
  ['patience', '--patience'],
  ['seed', '--seed'],
  ['device', '--device'],
  ['threads', '--threads'],
  ['maxBatches', '--max-batches'],
];

export function trainerArguments(request: TrainRequest): string[] {
  const args = ['--dataset', resolve(request.dataset), '--out', resolve(request.out), '--progress', 'json'];
  for (const [key, flag] of FLAGS) if (request[key] !== undefined) args.push(`${flag}=${String(request[key])}`);
  if (request.planes) args.push(`--planes=${request.planes.join(',')}`);
  if (request.blocks) args.push(`--blocks=${request.blocks.join(',')}`);
  if (request.init) args.push(`--init=${resolve(request.init)}`);
  if (request.resume) args.push('--resume');
  return args;
}

/**
 * Trains with the PyTorch trainer, then builds the ONNX model from the weights it wrote (the same
 * builder every model goes through) and adds both files' sha256 to the manifest.
 */
export async function trainModel(request: TrainRequest, onEvent: (e: TrainerEvent) => void): Promise<TrainedModel> {
  const python = findTrainerPython().python; // before anything runs: a missing torch is one clear line
  await runTrainerModule('train', trainerArguments(request), onEvent, { python });
  const outDir = resolve(request.out);
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as TrainingManifest;
  const weights = await readFile(join(outDir, 'weights.safetensors'));
  const m = manifest.model;
  const built = await buildAmsnetModel({
    variant: m.variant,
    planes: m.planes,
    width: m.width,
    blocks: m.blocks as [number, number, number, number],
    inputSize: m.inputSize,
    weights,
  });
  manifest.weightsSha256 = sha256Hex(weights);
  manifest.onnx = { file: 'model.onnx', sha256: built.sha256 };
  await writeFile(join(outDir, 'model.onnx.partial'), built.onnx);
  await rename(join(outDir, 'model.onnx.partial'), join(outDir, 'model.onnx'));
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { outDir, manifest, onnx: built.onnx };
}
