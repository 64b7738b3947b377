import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { buildAmsnetModel, sha256Hex } from '../../inference/amsnet/build-model';
import { AmsnetConfigError, FULL_SIZE, VARIANTS, type Variant } from '../../inference/amsnet/config';
import { WeightsError } from '../../inference/amsnet/weights';
import { inspectModel } from '../../inference/inspect-model';
import { NpyError, readNpy, writeNpy } from '../../inference/npy';
import { AmsnetPredictor, ModelContractError } from '../../inference/predictor';
import { quantizeModel } from '../../inference/quantize/quantize-model';
import { SafetensorsError, writeSafetensors } from '../../inference/safetensors';
import { scoreLabel } from '../../inference/scoring/prediction-provenance';
import { untrainedWarning } from '../../inference/provenance';
import { lookupTuning, tuningFilePath } from '../../inference/tuning-cache';
import { loadConfig } from '../../platform/config';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import type { CliRuntime } from '../runtime';
import { registeredModelRows } from './model-provenance';

/** The `model` command group, shared with the registry commands (whichever registers first creates it). */
export function modelCommandGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'model') ??
    program.command('model').description('build, inspect, register and activate AMSNet models')
  );
}

function numberList(what: string, integer: boolean) {
  return (value: string): number[] => {
    const list = value.split(',').map((s) => Number(s.trim()));
    if (value.trim() === '' || list.some((n) => !Number.isFinite(n) || (integer && !Number.isInteger(n))))
      throw new InvalidArgumentError(`expected ${what} separated by commas`);
    return list;
  };
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive whole number');
  return Number(value);
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UserError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Errors from bad files become messages for the user; anything else is a bug and keeps its stack. */
function asUserError(e: unknown, context: string): unknown {
  if (
    e instanceof AmsnetConfigError ||
    e instanceof WeightsError ||
    e instanceof SafetensorsError ||
    e instanceof ModelContractError ||
    e instanceof NpyError
  )
    return new UserError(`${context}: ${e.message}`);
  return e;
}

interface BuildOptions {
  variant: Variant;
  planes: number[];
  weights?: string;
  width: number;
  blocks: number[];
  inputSize: number;
  seed: number;
  out: string;
  fold: boolean;
  saveWeights?: string;
  quantize?: 'int8';
  calibration?: string;
}
interface PredictOptions {
  model: string;
  frames: string;
  out?: string;
  providers: string;
  maxBatch: number;
}

export function registerModelCommands(program: Command, runtime?: CliRuntime): void {
  const model = modelCommandGroup(program);

  model
    .command('build')
    .description(
      'build the AMSNet ONNX model (DESIGN.md §6) from a .safetensors state dict, or a seeded random (untrained) one',
    )
    .addOption(new Option('--variant <variant>', 'network variant').choices([...VARIANTS]).makeOptionMandatory())
    .requiredOption(
      '--planes <um>',
      'focal planes in µm, ascending, e.g. --planes=-45,-30,-15,0,15,30,45',
      numberList('µm', false),
    )
    .option(
      '--weights <file>',
      'PyTorch state dict saved with safetensors (F32, F16 or BF16); without it a random model',
    )
    .option('--width <n>', 'stem channels', positiveInt, FULL_SIZE.width)
    .option('--blocks <list>', 'bottleneck blocks per stage', numberList('block counts', true), FULL_SIZE.blocks)
    .option('--input-size <pixels>', 'side S of the input frames', positiveInt, FULL_SIZE.inputSize)
    .option('--seed <n>', 'seed of the random weights', (v) => Number.parseInt(v, 10), 0)
    .option('--no-fold', 'keep BatchNormalization nodes (an unoptimised reference graph)')
    .option('--save-weights <file>', 'also write the weights used (e.g. the random model’s) as .safetensors')
    .addOption(
      new Option(
        '--quantize <precision>',
        'also quantise: int8 static QDQ, calibrated on --calibration frames (the file says it is int8)',
      ).choices(['int8']),
    )
    .option('--calibration <file>', 'float32 .npy [B,T,F,S,S] of representative frames for --quantize')
    .requiredOption('--out <file>', 'where to write the .onnx model')
    .action(async (opts: BuildOptions) => {
      if (opts.blocks.length !== 4) throw new UserError(`--blocks needs four numbers, got ${opts.blocks.join(',')}`);
      if (opts.quantize && !opts.calibration)
        throw new UserError('--quantize int8 needs --calibration <frames.npy>: representative frames [B,T,F,S,S]');
      if (opts.calibration && !opts.quantize) throw new UserError('--calibration is only used with --quantize int8');
      const calibration = opts.calibration ? await readInput(opts.calibration, 'calibration frames') : undefined;
      const weights = opts.weights ? await readInput(opts.weights, 'weights') : undefined;
      let built;
      try {
        built = await buildAmsnetModel({
          variant: opts.variant,
          planes: opts.planes,
          width: opts.width,
          blocks: opts.blocks as [number, number, number, number],
          inputSize: opts.inputSize,
          weights,
          seed: opts.seed,
          foldBatchNorm: opts.fold,
        });
      } catch (e) {
        throw asUserError(e, 'cannot build the model');
      }
      let onnx = built.onnx;
      let sha256 = built.sha256;
      let precision = 'float32';
      if (calibration) {
        let frames;
        try {
          frames = readNpy(calibration);
        } catch (e) {
          throw asUserError(e, `cannot use ${opts.calibration}`);
        }
        const [B, T, f, h, w] = frames.shape;
        const { planes, inputSize: S } = built.config;
        if (frames.shape.length !== 5 || f !== planes.length || h !== S || w !== S)
          throw new UserError(
            `${opts.calibration} has shape (${frames.shape.join(', ')}); calibration needs [B, T, ${planes.length}, ${S}, ${S}]`,
          );
        const q = await quantizeModel(built.onnx, { frames: frames.data, batch: B, segments: T });
        onnx = q.onnx;
        sha256 = q.sha256;
        precision = `INT8 (static QDQ, calibrated on ${B}×${T} segments; float32 source ${built.sha256.slice(0, 12)}…)`;
      }
      await writeFile(opts.out, onnx);
      if (opts.saveWeights) await writeFile(opts.saveWeights, writeSafetensors(built.stateDict));
      console.log(
        `${opts.out}: ${built.config.variant}, F=${built.config.planes.length} (${built.config.planes.join(',')} µm), S=${built.config.inputSize}, ${built.trained ? 'trained weights' : `UNTRAINED random weights (seed ${opts.seed})`}, ${precision}, sha256 ${sha256}`,
      );
    });

  model
    .command('predict')
    .description(
      'probabilities [B,T] for frames [B,T,F,S,S] stored as a float32 .npy file, labelled with the model and its provenance',
    )
    .requiredOption('--model <file>', 'the .onnx model')
    .requiredOption('--frames <file>', 'float32 .npy of shape [B,T,F,S,S], pixels in [0,1]')
    .option('--out <file>', 'write the probabilities as .npy (and their label as <file>.json) instead of printing JSON')
    .option('--providers <list>', 'execution providers in order of preference', 'cpu')
    .option('--max-batch <n>', 'embryos per session run', positiveInt, 4)
    .action(async (opts: PredictOptions) => {
      const onnx = await readInput(opts.model, 'model');
      let frames;
      try {
        frames = readNpy(await readInput(opts.frames, 'frames'));
      } catch (e) {
        throw asUserError(e, `cannot use ${opts.frames}`);
      }
      let predictor: AmsnetPredictor;
      try {
        // this host's tuning of the model (`amsnet model tune`), if it has one
        const tuned = lookupTuning(
          tuningFilePath(loadConfig(process.env).dataDir),
          sha256Hex(onnx),
          opts.providers.split(',')[0],
        )?.tuning;
        predictor = await AmsnetPredictor.load(onnx, {
          executionProviders: opts.providers.split(','),
          maxBatch: opts.maxBatch,
          sessionTuning: tuned?.session,
          maxEmbryoSegmentsPerRun: tuned?.embryoSegmentsPerRun,
          logger: { warn: (_o: unknown, m?: string) => console.error(`warning: ${m ?? String(_o)}`), info: () => {} },
        });
      } catch (e) {
        throw asUserError(e, `cannot use ${opts.model}`);
      }
      try {
        const { focalPlanesUm, inputSize: S } = predictor.contract;
        const F = focalPlanesUm.length;
        const [B, T, f, h, w] = frames.shape;
        if (frames.shape.length !== 5 || f !== F || h !== S || w !== S) {
          throw new UserError(
            `${opts.frames} has shape (${frames.shape.join(', ')}); this model needs [B, T, ${F}, ${S}, ${S}] (planes ${focalPlanesUm.join(',')} µm)`,
          );
        }
        const p = await predictor.predict(frames.data, B, T);
        // the numbers never leave without their label: on stdout, in the side file and on stderr
        const label = predictionFileLabel(opts.model, onnx, predictor.contract.trained);
        if (label.warning) console.error(`warning: ${label.label}`);
        if (opts.out) {
          await writeFile(opts.out, writeNpy({ shape: [B, T], data: p }));
          await writeFile(
            `${opts.out}.json`,
            JSON.stringify({ ...label, shape: [B, T], file: basename(opts.out) }, null, 2),
          );
          console.error(`${opts.out}: probabilities [${B}, ${T}] — ${label.label} (label in ${opts.out}.json)`);
        } else {
          console.log(
            JSON.stringify({
              ...label,
              probabilities: Array.from({ length: B }, (_, b) =>
                Array.from(p.subarray(b * T, (b + 1) * T), (v) => Number(v.toFixed(6))),
              ),
            }),
          );
        }
      } finally {
        await predictor.close();
      }
    });

  model
    .command('inspect')
    .description(
      'contract, sha256, parameters, GFLOPs per time step and streaming support of an .onnx model; given a registered version id, its provenance (random, trained with its manifest, imported)',
    )
    .argument('<file>', 'the .onnx model, or the id of a registered version')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      if (runtime && isUuid(file) && !existsSync(file)) {
        await runtime.withApp(async ({ services }) => {
          const version = await services.registry.get(file);
          if (!version) throw new UserError(`no model version ${file}`);
          if (opts.json) {
            console.log(JSON.stringify({ ...version, warning: untrainedWarning(version) }, null, 2));
            return;
          }
          const rows = registeredModelRows(version);
          const width = Math.max(...rows.map((r) => r[0].length));
          for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
        });
        return;
      }
      const info = await inspectModel(await readInput(file, 'model')).catch((e) => {
        throw new UserError(`cannot inspect ${file}: ${(e as Error).message}`);
      });
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      const c = info.contract;
      const rows: [string, string][] = [
        ['file', file],
        ['sha256', info.sha256],
        ['size', `${(info.sizeBytes / 1e6).toFixed(1)} MB`],
        [
          'contract',
          c
            ? `v${c.contractVersion}, ${c.variant}, planes ${c.focalPlanesUm.join(',')} µm, S=${c.inputSize}, ${c.segmentHours} h segments, ${c.trained ? 'trained' : 'UNTRAINED'}`
            : `missing: ${info.contractError}`,
        ],
        ['parameters', info.parameterCount.toLocaleString('en-US')],
        ['GFLOP per time step', info.gflopsPerStep === null ? 'unknown' : info.gflopsPerStep.toPrecision(4)],
        ['streaming', info.supportsStreaming ? 'yes (built by amsnet-clinic)' : 'no (whole-trajectory scoring only)'],
        ['precision', info.precision === 'int8' ? 'INT8 (static quantisation, QDQ)' : 'float32'],
      ];
      const width = Math.max(...rows.map((r) => r[0].length));
      for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    });
}

/** The label of a file's probabilities: the file stands for the model (name = file name, version = sha256 prefix). */
function predictionFileLabel(file: string, onnx: Uint8Array, trained: boolean) {
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const label = scoreLabel({ name: basename(file), version: `sha256:${sha256.slice(0, 12)}`, trained });
  return {
    label: label.text,
    model: { file: basename(file), sha256, trained },
    provenance: label.provenance,
    warning: label.warning,
  };
}
