import { InvalidArgumentError, Option, type Command } from 'commander';
import { DATASET_FORMATS, type DatasetFormat } from '../../inference/export/dataset-files';
import type { SplitFractions } from '../../inference/export/dataset-split';
import type { CliRuntime } from '../runtime';
import { parseDate } from './evaluate';
import { parsePlanes } from './model-registry';

const DAY_MS = 24 * 3600 * 1000;

function parseSplit(value: string): SplitFractions {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (
    parts.length !== 3 ||
    parts.some((p) => !Number.isFinite(p) || p < 0) ||
    Math.abs(parts[0] + parts[1] + parts[2] - 1) > 1e-6
  ) {
    throw new InvalidArgumentError('expected three fractions train,val,test adding up to 1, e.g. 0.7,0.15,0.15');
  }
  return { train: parts[0], val: parts[1], test: parts[2] };
}

function parseInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** `amsnet export dataset`: a clinic's outcomes as a training set for its research team. */
export function registerExportCommands(program: Command, runtime: CliRuntime): void {
  const exportGroup =
    program.commands.find((c) => c.name() === 'export') ??
    program.command('export').description('export data for research');
  exportGroup
    .command('dataset')
    .description(
      'write embryos with recorded outcomes as a training set: 28 segments × planes of frames (PNG or .npy), labels.csv, patient-grouped train/val/test split',
    )
    .requiredOption('--clinic <code>', 'clinic code or id')
    .requiredOption('--out <dir>', 'new (or empty) folder to write')
    .addOption(new Option('--format <format>', 'frame files').choices([...DATASET_FORMATS]).default('png'))
    .option(
      '--planes <um>',
      "focal planes in µm, ascending (default: the clinic's active model's, else -45…45)",
      parsePlanes,
    )
    .option('--size <pixels>', 'side of the square frames', parseInteger, 224)
    .option('--seed <n>', 'seed of the split', parseInteger, 42)
    .option(
      '--frames-per-segment <k>',
      'frames kept per 6 h segment (listed in views.csv; `amsnet train` draws one at random per segment and epoch)',
      parseInteger,
      1,
    )
    .option('--split <fractions>', 'train,val,test fractions', parseSplit)
    .option('--from <date>', 'cycles inseminated on or after this day (YYYY-MM-DD, UTC)', parseDate)
    .option('--to <date>', 'cycles inseminated on or before this day (YYYY-MM-DD, UTC)', parseDate)
    .action(
      async (opts: {
        clinic: string;
        out: string;
        format: DatasetFormat;
        planes?: number[];
        size: number;
        seed: number;
        framesPerSegment: number;
        split?: SplitFractions;
        from?: Date;
        to?: Date;
      }) => {
        await runtime.withApp(async ({ services }) => {
          const grant = await services.system.clinicNamed(opts.clinic);
          const report = await services.exports.export(
            {
              outDir: opts.out,
              format: opts.format,
              planes: opts.planes,
              inputSize: opts.size,
              seed: opts.seed,
              framesPerSegment: opts.framesPerSegment,
              fractions: opts.split,
              from: opts.from ?? null,
              to: opts.to ? new Date(opts.to.getTime() + DAY_MS) : null,
              onProgress: (done, total) =>
                process.stderr.isTTY && process.stderr.write(`\rexporting embryo ${done}/${total}`),
            },
            grant,
          );
          if (process.stderr.isTTY) process.stderr.write('\n');
          console.log(
            `dataset written to ${report.outDir}: ${report.embryos} embryos, planes ${report.planes.join(',')}, ${report.inputSize}px ${report.format}, seed ${report.seed}`,
          );
          for (const [split, c] of Object.entries(report.splits))
            console.log(
              `  ${split.padEnd(5)} ${c.embryos} embryos (${c.blastocysts} blastocysts) from ${c.patients} patients`,
            );
          for (const s of report.skipped) console.log(`  skipped ${s.embryoId}: ${s.reason}`);
        });
      },
    );
}
