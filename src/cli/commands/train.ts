import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { VARIANTS, type Variant } from '../../inference/amsnet/config';
import { provenanceLabel } from '../../inference/provenance';
import type { TrainerEvent } from '../../inference/training/python-trainer';
import { type TrainRequest, type TrainedModel, trainModel } from '../../inference/training/train-model';
import { provenanceFromManifest } from '../../inference/training/training-manifest';
import type { CliRuntime } from '../runtime';
import { parsePlanes } from './model-registry';

const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
};
const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};
const blockList = (value: string): number[] => {
  const list = value.split(',').map(Number);
  if (list.length !== 4 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError('expected four positive whole numbers, e.g. 3,4,6,3');
  return list;
};

interface TrainOptions extends Omit<TrainRequest, 'dataset' | 'out'> {
  dataset: string;
  out: string;
  register?: boolean;
  name?: string;
  modelVersion?: string;
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : 'n/a');

/** A progress bar over all batches of all epochs (with ETA) on a terminal; one line per epoch otherwise. */
function progressPrinter(): { onEvent: (e: TrainerEvent) => void; stop: () => void } {
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar(
        { format: ' epoch {epoch} [{bar}] {percentage}% | ETA {eta_formatted} | loss {loss}', hideCursor: true },
        Presets.shades_classic,
      )
    : null;
  let perEpoch = 0;
  let epochs = 0;
  const onEvent = (e: TrainerEvent) => {
    if (e.event === 'start') {
      perEpoch = Number(e.batchesPerEpoch);
      epochs = Number(e.epochs);
      console.log(`training on ${String(e.device)}: ${String(e.train)} train / ${String(e.val)} validation embryos`);
      bar?.start(perEpoch * epochs, perEpoch * Number(e.startEpoch), { epoch: Number(e.startEpoch) + 1, loss: '…' });
    } else if (e.event === 'batch') {
      bar?.update((Number(e.epoch) - 1) * perEpoch + Number(e.batch), {
        epoch: `${String(e.epoch)}/${epochs}`,
        loss: Number(e.loss).toFixed(4),
      });
    } else if (e.event === 'epoch') {
      const m = e.metrics as { accuracyAuc: number | null; roc: Array<{ day: number; auc: number | null }> };
      const line = `epoch ${String(e.epoch)}/${epochs}: train loss ${fmt(e.trainLoss)}, val loss ${fmt(e.valLoss)}, accuracy AUC ${fmt(m.accuracyAuc)}, ROC AUC ${m.roc.map((r) => `day ${r.day} ${fmt(r.auc)}`).join(', ')}`;
      if (bar) bar.stop();
      console.log(line);
      if (bar && Number(e.epoch) < epochs)
        bar.start(perEpoch * epochs, perEpoch * Number(e.epoch), {
          epoch: `${Number(e.epoch) + 1}/${epochs}`,
          loss: '…',
        });
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}

/** `amsnet train`: the PyTorch trainer (training/) on an `export dataset` folder, then build and optionally register. */
export function registerTrainCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('train')
    .description(
      'train AMSNet (PyTorch, paper §4.1) on an `amsnet export dataset` folder: writes weights.safetensors, manifest.json and model.onnx',
    )
    .requiredOption('--dataset <dir>', 'folder written by `amsnet export dataset`')
    .requiredOption('--out <dir>', 'new (or empty) folder for the results')
    .addOption(new Option('--variant <variant>', 'network variant').choices([...VARIANTS]).default('amsnet'))
    .option('--planes <um>', "focal planes in µm (default: the dataset's)", parsePlanes)
    .option('--width <n>', 'stem channels (paper: 64)', positiveInt)
    .option('--blocks <list>', 'bottleneck blocks per stage (paper: 3,4,6,3)', blockList)
    .option('--input-size <pixels>', "side S of the input frames (default: the dataset's)", positiveInt)
    .option('--epochs <n>', 'at most this many epochs (default 30)', positiveInt)
    .option('--batch-size <n>', 'embryo sequences per batch (default 4)', positiveInt)
    .option('--lr <rate>', 'SGD learning rate (default 0.01)', positiveNumber)
    .option('--momentum <m>', 'SGD momentum (default 0.9)', positiveNumber)
    .option('--weight-decay <w>', 'weight decay (default 1e-4)', positiveNumber)
    .addOption(
      new Option('--schedule <kind>', 'learning-rate schedule (default cosine)').choices([
        'cosine',
        'step',
        'constant',
      ]),
    )
    .option(
      '--patience <n>',
      'stop after this many epochs without a better validation accuracy AUC (default 5)',
      positiveInt,
    )
    .option('--seed <n>', 'seed of everything random (default 0)', (v) => Number.parseInt(v, 10))
    .option('--device <device>', 'auto (CUDA when available), cpu, cuda, cuda:N')
    .option('--threads <n>', 'CPU threads', positiveInt)
    .option('--init <file>', 'a local .safetensors state dict to start from (e.g. Kinetics-pretrained)')
    .option('--max-batches <n>', 'at most this many batches per epoch (quick runs)', positiveInt)
    .option('--resume', 'continue an interrupted run into the same --out')
    .option('--register', 'register the trained model (provenance: trained, with its manifest)')
    .option('--name <name>', 'model name for --register', 'amsnet-trained')
    .option('--model-version <version>', 'version label for --register (default: the weights sha256 prefix)')
    .action(async (opts: TrainOptions) => {
      const { register, name, modelVersion, ...request } = opts;
      const progress = progressPrinter();
      let trained: TrainedModel;
      try {
        trained = await trainModel(request as TrainRequest & { variant?: Variant }, progress.onEvent);
      } finally {
        progress.stop();
      }
      const m = trained.manifest;
      console.log(
        `trained in ${String(m.wallSeconds)} s: best epoch ${m.bestEpoch} of ${m.epochsRun}, validation accuracy AUC ${fmt(m.validation.accuracyAuc)}`,
      );
      console.log(
        `written to ${trained.outDir}: weights.safetensors, manifest.json, model.onnx (sha256 ${m.onnx?.sha256})`,
      );
      if (m.dataset.synthetic) console.log('trained on synthetic data: not for clinical use');
      if (!register) return;
      await runtime.withApp(async ({ services }) => {
        const { model, created } = await services.registry.register(
          trained.onnx,
          {
            name: name ?? 'amsnet-trained',
            version: modelVersion ?? `w${(m.weightsSha256 ?? '').slice(0, 12)}`,
            trained: true,
            provenance: provenanceFromManifest(m),
          },
          services.system.modelRegistration(),
        );
        console.log(
          `${created ? 'registered' : 'already registered'} ${model.name} ${model.version} (${provenanceLabel(model)})\nid ${model.id}`,
        );
      });
    });
}
