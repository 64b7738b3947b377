import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  EVALUATION_FORMATS,
  formatEvaluation,
  type EvaluationFormat,
} from '../../inference/evaluation/evaluation-format';
import { renderEvaluationSvg } from '../../inference/evaluation/evaluation-plot';
import { UserError } from '../../platform/errors';
import type { CliRuntime } from '../runtime';

const DAY_MS = 24 * 3600 * 1000;

/** YYYY-MM-DD (UTC midnight) → Date. */
export function parseDate(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return date;
}

/**
 * `amsnet evaluate`: the paper's metrics (DESIGN.md §7) of one model on recorded outcomes. The
 * period selects cycles by insemination date, both ends included.
 */
export function registerEvaluateCommand(program: Command, runtime: CliRuntime): void {
  program
    .command('evaluate')
    .description(
      "accuracy per half day, accuracy-curve AUC and ROC AUC at days 3/4/5 of a model on a clinic's recorded outcomes",
    )
    .requiredOption('--model <id>', 'model version id')
    .option('--clinic <code>', 'clinic code or id (default: every clinic)')
    .option('--from <date>', 'cycles inseminated on or after this day (YYYY-MM-DD, UTC)', parseDate)
    .option('--to <date>', 'cycles inseminated on or before this day (YYYY-MM-DD, UTC)', parseDate)
    .addOption(new Option('--format <format>', 'output format').choices([...EVALUATION_FORMATS]).default('table'))
    .option('--plot <file.svg>', 'also draw the accuracy curve and the ROC curves of days 3, 4, 5 as SVG')
    .action(
      async (opts: {
        model: string;
        clinic?: string;
        from?: Date;
        to?: Date;
        format: EvaluationFormat;
        plot?: string;
      }) => {
        await runtime.withApp(async ({ services }) => {
          const { system } = services;
          const grant = opts.clinic ? await system.clinicNamed(opts.clinic) : system.network();
          const to = opts.to ? new Date(opts.to.getTime() + DAY_MS) : null; // the whole last day
          const evaluation = await services.evaluation.evaluate(
            { modelId: opts.model, from: opts.from ?? null, to },
            grant,
          );
          process.stdout.write(formatEvaluation(evaluation, opts.format).replace(/\n?$/, '\n'));
          if (opts.plot) {
            try {
              await writeFile(opts.plot, renderEvaluationSvg(evaluation));
            } catch (error) {
              throw new UserError(
                `cannot write ${opts.plot}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
              );
            }
            if (opts.format === 'table') console.log(`plot written to ${opts.plot}`);
          }
        });
      },
    );
}
