import { InvalidArgumentError, type Command } from 'commander';
import { resolve } from 'node:path';
import { demoRequest, type DemoChoices } from '../../demo/demo-defaults';
import type { CliRuntime } from '../runtime';

const whole = (min: number, max: number) => (raw: string) => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return Number(raw);
};

const range = (raw: string) => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw);
  const min = Number(m?.[1]);
  const max = Number(m?.[2] ?? m?.[1]);
  if (!m || min < 1 || max < min || max > 12)
    throw new InvalidArgumentError('expected N or MIN-MAX embryos per cycle, 1 to 12 (a slide has 12 wells)');
  return { min, max };
};

const multipleOf32 = (raw: string) => {
  const n = whole(32, 224)(raw);
  if (n % 32 !== 0) throw new InvalidArgumentError('expected a multiple of 32 from 32 to 224');
  return n;
};

/** The parsed options: the library's choices by the names the command line uses. */
type DemoOptions = Pick<DemoChoices, 'seed' | 'fullRate' | 'frameMinutes' | 'imageSize' | 'patients' | 'embryos'> & {
  clinic: string;
  modelWidth?: number;
  modelInputSize?: number;
  keepExport?: string;
  wait: boolean;
};

export function registerDemoCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('demo')
    .description(
      'seed a demo clinic with synthetic time-lapse data, imported, scored by an AMSNet trained on synthetic data (models/demo), and print where to look',
    )
    .option('--clinic <code>', 'clinic to seed (created when missing)', 'demo')
    .option('--seed <n>', 'seed of the synthetic lab (same seed, same embryos)', whole(0, 2 ** 31 - 1))
    .option('--full-rate', 'a frame every 10 minutes at 500×500, like the incubator (minutes instead of seconds)')
    .option('--frame-minutes <n>', 'minutes between frames (default 360; 10 with --full-rate)', whole(10, 720))
    .option('--image-size <px>', 'pixels per side (default 224; 500 with --full-rate)', whole(64, 1024))
    .option('--patients <n>', 'patients, one cycle each (default 3)', whole(1, 20))
    .option('--embryos <n|min-max>', 'embryos per cycle (default 8-12)', range)
    .option('--model-width <n>', 'AMSNet width (paper: 64; demo: 8; another size is untrained)', whole(8, 64))
    .option(
      '--model-input-size <px>',
      'AMSNet input size S, a multiple of 32 (paper: 224; demo: 64; another size is untrained)',
      multipleOf32,
    )
    .option('--keep-export <dir>', 'keep the generated folder export and cycle sheet in this folder')
    .option('--no-wait', 'queue the scoring and return; a running worker scores it')
    .action(async (opts: DemoOptions) => {
      const request = demoRequest({
        clinicCode: opts.clinic,
        seed: opts.seed,
        fullRate: opts.fullRate,
        frameMinutes: opts.frameMinutes,
        imageSize: opts.imageSize,
        patients: opts.patients,
        embryos: opts.embryos,
        model: {
          ...(opts.modelWidth ? { width: opts.modelWidth } : {}),
          ...(opts.modelInputSize ? { inputSize: opts.modelInputSize } : {}),
        },
        wait: opts.wait,
        exportDir: opts.keepExport ? resolve(opts.keepExport) : undefined,
      });
      await runtime.withApp((app) => app.runDemo(request, (text) => process.stdout.write(text)));
    });
}
