import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { ImportService } from '../../ingest/import.service';
import type { ImportOptions, ImportProgress, ImportRunReport } from '../../ingest/import-types';
import { ProcessLease } from '../../jobs/process-lease';
import type { CliRuntime } from '../runtime';

/** Problem lines printed after the summary; the full list is in import_run_item. */
const MAX_PRINTED_ITEMS = 50;

interface CommonOptions {
  clinic: string;
  all?: boolean;
}

/**
 * Progress on stderr: a bar with frames/s and ETA on a terminal, a plain line every few seconds
 * otherwise (logs of cron jobs and CI stay readable).
 */
function progressReporter(): { onProgress: (p: ImportProgress) => void; stop: () => void } {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format:
          '{kind} |{bar}| {value}/{total} {unit} | {frames} frames, {rate} frames/s | ETA {eta_formatted} | {current}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    let running = false;
    return {
      onProgress: (p) => {
        const fields = {
          kind: p.kind,
          unit: p.kind === 'CYCLES' ? 'rows' : p.kind === 'DICOM' ? 'files' : 'embryos',
          frames: p.frames,
          rate: (p.frames / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(0),
          current: p.current.slice(-40),
        };
        if (!running) {
          bar.start(Math.max(p.unitsTotal, 1), 0, fields);
          running = true;
        }
        if (p.unitsTotal > 0) bar.setTotal(p.unitsTotal);
        bar.update(Math.floor(p.unitsDone), fields);
      },
      stop: () => {
        if (running) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const rate = p.frames / Math.max((now - started) / 1000, 0.001);
      process.stderr.write(
        `${p.kind.toLowerCase()}: ${Math.floor(p.unitsDone)}${p.unitsTotal ? `/${p.unitsTotal}` : ''} done, ${p.frames} frames (${rate.toFixed(0)}/s) ${p.current}\n`,
      );
    },
    stop: () => undefined,
  };
}

function printReport(report: ImportRunReport, all: boolean): void {
  const c = report.counts;
  console.log(
    `import ${report.importRunId} (${report.kind.toLowerCase()}): ${report.status}${report.aborted ? ' (interrupted)' : ''} in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  items: ${c.stored} stored, ${c.alreadyStored} already stored, ${c.skipped} skipped, ${c.failed} failed`,
  );
  if (report.kind !== 'CYCLES') {
    const rate = report.framesStored / Math.max(report.durationMs / 1000, 0.001);
    console.log(
      `  frames: ${report.framesStored} stored, ${report.framesAlreadyStored} already stored (${rate.toFixed(0)} frames/s)`,
    );
  }
  const shown = all ? report.items : report.items.filter((i) => i.status === 'failed' || i.status === 'skipped');
  for (const i of shown.slice(0, all ? undefined : MAX_PRINTED_ITEMS))
    console.log(`  ${i.status.padEnd(13)} ${i.item}${i.reason ? `: ${i.reason}` : ''}`);
  if (!all && shown.length > MAX_PRINTED_ITEMS)
    console.log(
      `  … ${shown.length - MAX_PRINTED_ITEMS} more (see --all, or import_run_item of run ${report.importRunId})`,
    );
  if (report.notSaved)
    console.log(
      `  this report could not be saved (${report.notSaved}); the run is closed as FAILED once the database is back`,
    );
}

/** Runs one import with progress, Ctrl-C as a clean abort, and a non-zero exit when any item failed. */
async function runImport(
  runtime: CliRuntime,
  opts: CommonOptions,
  start: (
    imports: ImportService,
    options: ImportOptions & { focalPlaneTag?: string },
    focalPlaneTag: string | undefined,
  ) => Promise<ImportRunReport>,
): Promise<void> {
  await runtime.withApp(async ({ services, config }) => {
    // If this process dies, the sweeper of a running worker closes its import run (README "Failures and recovery").
    const lease = await ProcessLease.take(services.store, { role: 'import', leaseSeconds: config.workerLeaseSeconds });
    const controller = new AbortController();
    const onSignal = () => {
      process.stderr.write('\nstopping after the embryo in flight rolls back… (rerun to resume)\n');
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const progress = progressReporter();
    try {
      const options: ImportOptions = {
        grant: await services.system.clinicNamed(opts.clinic),
        onProgress: progress.onProgress,
        signal: controller.signal,
        leaseId: lease.id,
        databaseWaitMs: config.databaseWaitSeconds * 1000,
        onDatabaseWait: (event) => {
          process.stderr.write(
            event.state === 'waiting'
              ? `database unreachable: waiting up to ${Math.round(event.timeoutMs / 1000)} s for it…\n`
              : `database back after ${(event.waitedMs / 1000).toFixed(1)} s; continuing\n`,
          );
        },
      };
      const report = await start(services.imports, options, config.dicomFocalPlaneTag);
      progress.stop();
      printReport(report, !!opts.all);
      if (report.counts.failed > 0 || report.aborted) process.exitCode = 1;
    } finally {
      progress.stop();
      await lease.release();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

/** `amsnet import folder|pdb|dicom|cycles`: thin shell over ImportService (the CLI acts as the operator). */
export function registerImportCommands(program: Command, runtime: CliRuntime): void {
  const group = program
    .command('import')
    .description('import time-lapse frames, slide files, DICOM instances and cycle sheets into a clinic');
  const common = (cmd: Command) =>
    cmd
      .requiredOption('--clinic <code-or-id>', 'clinic code or id')
      .option('--all', 'list every item of the report, not only skipped and failed ones');

  common(
    group
      .command('folder <path>')
      .description(
        'folder export in the EmbryoScope dataset layout (embryo_dataset[_F<µm>]/<embryo>/*.jpeg, time and phase CSVs)',
      ),
  ).action((path: string, opts: CommonOptions) => runImport(runtime, opts, (s, o) => s.importFolder(path, o)));

  common(
    group
      .command('pdb <files...>')
      .description('EmbryoScope slide files (.pdb, SQLite): one embryo per well, externalId <slide>-WELL<n>')
      .option(
        '--cycle <external-id>',
        "put the embryos into this existing cycle (default: the clinic's unassigned cycle)",
      ),
  ).action((files: string[], opts: CommonOptions & { cycle?: string }) =>
    runImport(runtime, opts, (s, o) => s.importPdb(files, { ...o, cycleExternalId: opts.cycle })),
  );

  common(
    group
      .command('dicom <paths...>')
      .description(
        'DICOM Part-10 files or folders (VL microscopy / secondary capture); StudyInstanceUID = cycle id, SeriesInstanceUID = embryo',
      ),
  ).action((paths: string[], opts: CommonOptions) =>
    runImport(runtime, opts, (s, o, tag) => s.importDicom(paths, { ...o, focalPlaneTag: tag })),
  );

  common(
    group
      .command('cycles <file>')
      .description('cycle sheet CSV: mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id'),
  ).action((file: string, opts: CommonOptions) => runImport(runtime, opts, (s, o) => s.importCycleSheet(file, o)));
}
