import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { ModelContractError } from '../../inference/predictor';
import { tuneRun } from '../../inference/run-tuning';
import { lookupTuning, saveTuning, tuningFilePath } from '../../inference/tuning-cache';
import { loadConfig } from '../../platform/config';
import { UserError } from '../../platform/errors';
import { modelCommandGroup } from './model';

function chunkList(value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1 || n > 64))
    throw new InvalidArgumentError('expected whole numbers from 1 to 64 separated by commas');
  return list;
}

/**
 * `amsnet model tune`: measures on this host which session settings and chunk size run a model
 * fastest and stores them in DATA_DIR/inference-tuning.json, keyed by the host's CPU, threads,
 * ONNX Runtime build and the model's sha256; workers and `model predict` on this host use them.
 */
export function registerModelTuneCommand(program: Command): void {
  modelCommandGroup(program)
    .command('tune')
    .description(
      "measure this host's fastest session settings and segments per run for a model (stored in DATA_DIR/inference-tuning.json)",
    )
    .argument('<file>', 'the .onnx model')
    .option('--providers <list>', 'execution providers in order of preference', 'cpu')
    .option('--chunks <list>', 'embryo-segments per session run to try', chunkList, [1, 2, 4, 8])
    .option('--force', 'measure again even when this host has a tuning for the model')
    .action(async (file: string, opts: { providers: string; chunks: number[]; force?: boolean }) => {
      let onnx: Buffer;
      try {
        onnx = await readFile(file);
      } catch (e) {
        throw new UserError(`cannot read model ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const providers = opts.providers.split(',');
      const path = tuningFilePath(loadConfig(process.env).dataDir);
      const sha = createHash('sha256').update(onnx).digest('hex');
      const cached = opts.force ? undefined : lookupTuning(path, sha, providers[0]);
      if (cached) {
        console.log(`${file}: tuned on this host ${cached.measuredAt} (use --force to measure again)`);
        console.log(JSON.stringify(cached.tuning));
        return;
      }
      let entry;
      try {
        entry = await tuneRun(onnx, {
          executionProviders: providers,
          chunks: opts.chunks,
          onTrial: (t) =>
            console.log(
              `${t.what.padEnd(34)} ${t.msPerSegment.toFixed(1).padStart(8)} ms per embryo-segment  [load ${t.loadAverage.toFixed(1)}]`,
            ),
        });
      } catch (e) {
        if (e instanceof ModelContractError) throw new UserError(`cannot use ${file}: ${e.message}`);
        throw e;
      }
      saveTuning(path, entry);
      const s = entry.tuning.session;
      console.log(
        `chosen: ${entry.tuning.embryoSegmentsPerRun} embryo-segments per run, ${s.intraOpThreads} threads, spinning ${s.spinning ? 'on' : 'off'}, denormals as zero ${s.denormalAsZero ? 'on' : 'off'}, arena ${s.memArena ? 'on' : 'off'}` +
          `${entry.underLoad ? ' (measured UNDER LOAD: run again on a quiet machine)' : ''}; saved to ${path}`,
      );
    });
}
