import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { ScoringRun } from '../../entities';
import { isUuid } from '../../platform/ids';
import { ModelRegistryService } from '../../inference/registry/model-registry.service';
import { clinicIdsWithActiveModel, findActiveModel } from '../../inference/scoring/scoring.repository';
import { startJobRuntime, type JobRuntime } from '../../jobs/runtime';
import { requestScoring } from '../../jobs/scoring-requests';
import { watchScoringRun } from '../../jobs/scoring-progress';
import { closeSharedJobQueues } from '../../jobs/shared-queue';
import { SYSTEM_ACTOR } from '../../platform/audit/audit-actions';
import { UserError } from '../../platform/errors';
import { withApp, type AppContext } from '../app-context';
import { clinicIdOf } from '../clinic-option';

interface ScoreOptions {
  clinic?: string;
  cycle?: string;
  embryo?: string[];
  model?: string;
  wait?: boolean;
  work?: boolean;
}

/** The clinic of a cycle or embryo id, when --clinic is not given. */
async function clinicOfScope(dataSource: DataSource, opts: ScoreOptions): Promise<string | null> {
  const id = opts.cycle ?? opts.embryo?.[0];
  if (!id) return null;
  if (!isUuid(id)) throw new UserError(`"${id}" is not a cycle or embryo id (UUID)`);
  const table = opts.cycle ? 'cycle' : 'embryo';
  const rows: Array<{ clinic_id: string }> = await dataSource.query(`SELECT clinic_id FROM ${table} WHERE id = $1`, [id]);
  if (!rows[0]) throw new UserError(`no ${table} ${id}`);
  return rows[0].clinic_id;
}

/**
 * --model FILE: registers the file (the same bytes give the existing version) and activates it for
 * a clinic that has no active model yet. A clinic that already has another active model keeps it:
 * switching models is an administrator's explicit act (`amsnet model activate`).
 */
async function useModelFile(app: AppContext, file: string, clinicIds: string[]): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const registry = new ModelRegistryService(app.dataSource);
  const { model } = await registry.register(bytes, { name: basename(file, '.onnx'), version: `sha-${sha256Prefix(bytes)}` }, SYSTEM_ACTOR);
  for (const clinicId of clinicIds) {
    const active = await findActiveModel(app.dataSource.manager, clinicId);
    if (!active) await registry.activate(model.id, clinicId, SYSTEM_ACTOR);
    else if (active.modelVersionId !== model.id) {
      throw new UserError(`clinic ${clinicId} scores with its active model ${active.sha256.slice(0, 12)}…, not ${file}; activate it first (amsnet model activate) or leave out --model`);
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
  return `run ${run.id}: ${run.status} — ${run.embryosScored} embryo(s), ${run.predictionsWritten} prediction(s), ${run.embryosFailed} failed` +
    `${run.durationMs !== null ? `, ${(run.durationMs / 1000).toFixed(1)} s` : ''}${rate}${provider}${error}`;
}

async function waitWithProgress(dataSource: DataSource, run: ScoringRun, interactive: boolean): Promise<ScoringRun> {
  const bar = interactive ? new SingleBar({ format: ' {clinic} [{bar}] {value}/{total} batches | {status}', hideCursor: true }, Presets.shades_classic) : null;
  let started = false;
  const hint = setTimeout(() => {
    if (!started) process.stderr.write('  still queued: is a worker running? (`amsnet worker`, or add --work to score in this process)\n');
  }, 30_000);
  try {
    return await watchScoringRun(dataSource, run.id, (p) => {
      started ||= p.run.status !== 'QUEUED';
      if (!bar || p.batchesTotal === null) return;
      if (!bar.isActive) bar.start(Math.max(1, p.batchesTotal), 0, { clinic: (p.run.clinicId ?? '').slice(0, 8), status: p.run.status });
      bar.setTotal(Math.max(1, p.batchesTotal));
      bar.update(p.batchesDone, { status: p.run.status });
    });
  } finally {
    clearTimeout(hint);
    bar?.stop();
  }
}

async function score(opts: ScoreOptions): Promise<void> {
  await withApp(async (app) => {
    const { dataSource, db } = app;
    let runtime: JobRuntime | undefined;
    try {
      const scoped = opts.clinic ? await clinicIdOf(dataSource, opts.clinic) : await clinicOfScope(dataSource, opts);
      const clinicIds = scoped ? [scoped] : await clinicIdsWithActiveModel(dataSource.manager);
      if (opts.model) {
        if (!scoped) throw new UserError('--model needs --clinic (or --cycle / --embryo): which clinic should use it?');
        await useModelFile(app, opts.model, clinicIds);
      }
      if (clinicIds.length === 0) throw new UserError('no clinic has an active model: register and activate one (amsnet model register / activate), or pass --clinic and --model');
      if (opts.work) {
        runtime = await startJobRuntime({ dataSource, databaseUrl: db.url, config: app.config, log: app.log, worker: true, scheduler: false });
      }
      const runs: ScoringRun[] = [];
      for (const clinicId of clinicIds) {
        runs.push(await requestScoring({ dataSource, databaseUrl: db.url, log: app.log }, { clinicId, cycleId: opts.cycle, embryoIds: opts.embryo, requestedBy: null, trigger: 'cli' }));
      }
      for (const run of runs) {
        if (!opts.wait && !opts.work) {
          console.log(`queued scoring run ${run.id} (clinic ${run.clinicId})`);
          continue;
        }
        const done = await waitWithProgress(dataSource, run, process.stderr.isTTY === true);
        console.log(describe(done));
        if (done.status === 'FAILED') process.exitCode = 3;
      }
    } finally {
      await runtime?.stop();
      await closeSharedJobQueues();
    }
  });
}

export function registerScoreCommands(program: Command): void {
  program
    .command('score')
    .description('score the complete, unscored segments of embryos with the clinic\'s active model (queued for the workers)')
    .option('--clinic <code|id>', 'the clinic (default: every clinic with an active model)')
    .option('--cycle <id>', 'only the embryos of this cycle (any status)')
    .option('--embryo <id...>', 'only these embryos')
    .option('--model <file.onnx>', 'register this model and activate it for a clinic that has none yet')
    .option('--wait', 'wait for the run(s) and print the result, with a progress bar')
    .option('--work', 'also score in this process until the run(s) finish (no separate worker needed); implies --wait')
    .action((opts: ScoreOptions) => score(opts));
}
