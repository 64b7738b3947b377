import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { ClinicGrant } from '../../auth/grants';
import type { ScoringRun } from '../../entities';
import { watchScoringRun } from '../../jobs/scoring-progress';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import type { CliContext, CliRuntime, CliServices } from '../runtime';

interface ScoreOptions {
  clinic?: string;
  cycle?: string;
  embryo?: string[];
  model?: string;
  wait?: boolean;
  work?: boolean;
}

/** The clinic of a cycle or embryo id, when --clinic is not given. */
async function clinicOfScope(services: CliServices, opts: ScoreOptions): Promise<string | null> {
  const id = opts.cycle ?? opts.embryo?.[0];
  if (!id) return null;
  if (!isUuid(id)) throw new UserError(`"${id}" is not a cycle or embryo id (UUID)`);
  const clinicId = opts.cycle
    ? await services.store.patientCycles.clinicOfCycle(id)
    : await services.store.embryos.clinicOfEmbryo(id);
  if (!clinicId) throw new UserError(`no ${opts.cycle ? 'cycle' : 'embryo'} ${id}`);
  return clinicId;
}

/**
 * --model FILE: registers the file (the same bytes give the existing version) and activates it for
 * a clinic that has no active model yet. A clinic that already has another active model keeps it:
 * switching models is an administrator's explicit act (`amsnet model activate`).
 */
async function useModelFile(services: CliServices, file: string, grants: ClinicGrant[]): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { registry, system } = services;
  const { model } = await registry.register(
    bytes,
    { name: basename(file, '.onnx'), version: `sha-${sha256Prefix(bytes)}` },
    system.modelRegistration(),
  );
  for (const grant of grants) {
    const active = await registry.activeModelFor(grant.clinicId);
    if (!active) await registry.activate(model.id, grant);
    else if (active.id !== model.id) {
      throw new UserError(
        `clinic ${grant.clinicId} scores with its active model ${active.sha256.slice(0, 12)}…, not ${file}; activate it first (amsnet model activate) or leave out --model`,
      );
    }
  }
}

function sha256Prefix(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

function describe(run: ScoringRun): string {
  const rate = run.embryosPerSecond ? `, ${run.embryosPerSecond.toFixed(2)} embryos/s` : '';
  const provider = run.executionProvider ? ` on ${run.executionProvider}` : '';
  const error = run.error ? `\n  reason: ${run.error}` : '';
  return (
    `run ${run.id}: ${run.status} — ${run.embryosScored} embryo(s), ${run.predictionsWritten} prediction(s), ${run.embryosFailed} failed` +
    `${run.durationMs !== null ? `, ${(run.durationMs / 1000).toFixed(1)} s` : ''}${rate}${provider}${error}`
  );
}

async function waitWithProgress(services: CliServices, run: ScoringRun, interactive: boolean): Promise<ScoringRun> {
  const bar = interactive
    ? new SingleBar(
        { format: ' {clinic} [{bar}] {value}/{total} batches | {status}', hideCursor: true },
        Presets.shades_classic,
      )
    : null;
  let started = false;
  const hint = setTimeout(() => {
    if (!started)
      process.stderr.write(
        '  still queued: is a worker running? (`amsnet worker`, or add --work to score in this process)\n',
      );
  }, 30_000);
  try {
    return await watchScoringRun(services.store, run.id, (p) => {
      started ||= p.run.status !== 'QUEUED';
      if (!bar || p.batchesTotal === null) return;
      if (!bar.isActive)
        bar.start(Math.max(1, p.batchesTotal), 0, { clinic: (p.run.clinicId ?? '').slice(0, 8), status: p.run.status });
      bar.setTotal(Math.max(1, p.batchesTotal));
      bar.update(p.batchesDone, { status: p.run.status });
    });
  } finally {
    clearTimeout(hint);
    bar?.stop();
  }
}

async function score(app: CliContext, opts: ScoreOptions): Promise<void> {
  const { services } = app;
  const { system } = services;
  let worker: { stop(): Promise<void> } | undefined;
  try {
    const scoped = opts.clinic ? (await system.clinicNamed(opts.clinic)).clinicId : await clinicOfScope(services, opts);
    const clinicIds = scoped ? [scoped] : (await services.store.models.scoredModels()).active;
    const grants = clinicIds.map((id) => system.clinic(id));
    if (opts.model) {
      if (!scoped) throw new UserError('--model needs --clinic (or --cycle / --embryo): which clinic should use it?');
      await useModelFile(services, opts.model, grants);
    }
    if (clinicIds.length === 0)
      throw new UserError(
        'no clinic has an active model: register and activate one (amsnet model register / activate), or pass --clinic and --model',
      );
    if (opts.work) worker = await app.startWorker();
    const runs: ScoringRun[] = [];
    for (const grant of grants) {
      runs.push(await services.scoring.request(grant, { cycleId: opts.cycle, embryoIds: opts.embryo }, 'cli'));
    }
    for (const run of runs) {
      if (!opts.wait && !opts.work) {
        console.log(`queued scoring run ${run.id} (clinic ${run.clinicId})`);
        continue;
      }
      const done = await waitWithProgress(services, run, process.stderr.isTTY === true);
      console.log(describe(done));
      if (done.status === 'FAILED') process.exitCode = 3;
    }
  } finally {
    await worker?.stop();
  }
}

export function registerScoreCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('score')
    .description(
      "score the complete, unscored segments of embryos with the clinic's active model (queued for the workers)",
    )
    .option('--clinic <code|id>', 'the clinic (default: every clinic with an active model)')
    .option('--cycle <id>', 'only the embryos of this cycle (any status)')
    .option('--embryo <id...>', 'only these embryos')
    .option('--model <file.onnx>', 'register this model and activate it for a clinic that has none yet')
    .option('--wait', 'wait for the run(s) and print the result, with a progress bar')
    .option('--work', 'also score in this process until the run(s) finish (no separate worker needed); implies --wait')
    .action((opts: ScoreOptions) => runtime.withApp((app) => score(app, opts)));
}
