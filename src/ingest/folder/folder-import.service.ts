import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DataStore, PhaseRow } from '../../entities/repositories';
import { DatabaseUnavailableError } from '../../platform/database/reconnect';
import { EmbryoImportService } from '../embryo-import.service';
import { describeRuns, outcomeFromPhases, recordEmbryo } from '../embryo-report';
import type { FrameCandidate } from '../frames/embryo-frames.writer';
import { normaliseEncodedFrame } from '../frames/frame-normaliser';
import { ImportRunRecorder } from '../import-run.recorder';
import { ImportAbortedError, type ImportOptions, type ImportRunReport } from '../import-types';
import { ANNOTATIONS_FOLDER, TIME_FOLDER, phasesFileName, timeFileName } from './folder-export.layout';
import { readEmbryoFolder, scanFolderExport, type EmbryoFolder, type FolderExport } from './folder-export.reader';

/**
 * Imports a folder export (EmbryoScope dataset layout), one embryo at a time: each embryo is one
 * transaction, bad files are reported one by one, and the rest of the embryo is stored.
 */
export class FolderImportService {
  private readonly embryos: EmbryoImportService;

  constructor(private readonly store: DataStore) {
    this.embryos = new EmbryoImportService(store);
  }

  async import(path: string, options: ImportOptions): Promise<ImportRunReport> {
    const exp = await scanFolderExport(resolve(path));
    const recorder = await ImportRunRecorder.start(this.store, 'FOLDER', exp.root, options);
    let aborted = false;
    let frames = 0;
    const progress = (done: number, current: string) =>
      options.onProgress?.({ kind: 'FOLDER', unitsDone: done, unitsTotal: exp.embryos.length, frames, current });
    try {
      for (const [index, name] of exp.embryos.entries()) {
        if (options.signal?.aborted) throw new ImportAbortedError();
        progress(index, name);
        const folder = await readEmbryoFolder(exp, name);
        if (options.acceptFile && !acceptedPart(exp, folder, options.acceptFile)) continue;
        try {
          // The embryo is one transaction: after a database restart it is simply imported again.
          await recorder.retryingAfterReconnect(() =>
            this.importEmbryo(exp, folder, recorder, options, (n) => {
              frames += n;
              progress(index, name);
            }),
          );
        } catch (error) {
          if (error instanceof ImportAbortedError || error instanceof DatabaseUnavailableError) throw error;
          // The embryo's transaction rolled back; the others are independent of it.
          await recorder.add(`embryo ${name}`, 'failed', `not stored: ${(error as Error).message}`);
        }
        progress(index + 1, name);
      }
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        // Stop with a report naming what was stored and what was not (written if the database returns).
        const done = new Set(recorder.reportedItems());
        for (const name of exp.embryos)
          if (!done.has(`embryo ${name}`))
            await recorder.add(`embryo ${name}`, 'failed', 'not stored: the database was unreachable');
        await recorder.add('(import)', 'failed', `stopped: ${error.message}; rerun the import to store the rest`);
        return recorder.finish(true);
      }
      if (!(error instanceof ImportAbortedError)) {
        await recorder.finishAfterError(error);
        throw error;
      }
      aborted = true;
      await recorder.add(
        '(import)',
        'failed',
        'aborted before the end; embryos committed so far are kept, rerun to resume',
      );
    }
    return recorder.finish(aborted);
  }

  private async importEmbryo(
    exp: FolderExport,
    folder: EmbryoFolder,
    recorder: ImportRunRecorder,
    options: ImportOptions,
    onFrames: (n: number) => void,
  ) {
    const item = `embryo ${folder.name}`;
    if (!folder.hoursByRun) {
      for (const p of folder.problems) await recorder.add(p.item, p.status, p.reason);
      await recorder.add(item, 'failed', folder.timeProblem ?? `no ${TIME_FOLDER}/${timeFileName(folder.name)}`);
      return;
    }
    const hoursByRun = folder.hoursByRun;
    const candidates: FrameCandidate[] = [];
    const problems = [...folder.problems];
    for (const f of folder.files) {
      const hours = hoursByRun.get(f.run);
      if (hours === undefined) {
        problems.push({
          item: f.relativePath,
          status: 'skipped',
          reason: `no time for RUN${f.run} in ${timeFileName(folder.name)}`,
        });
        continue;
      }
      candidates.push({
        item: f.relativePath,
        source: f.relativePath,
        hoursPostInsemination: hours,
        focalPlaneUm: f.focalPlaneUm,
        run: f.run,
        acquiredAt: null,
        load: async () => normaliseEncodedFrame(await readFile(f.path)),
      });
    }
    const notes = [...folder.notes, ...this.coverageNotes(exp, folder)];
    const wells = new Set(folder.files.map((f) => f.well));
    const label = wells.size === 1 ? `WELL${[...wells][0]}` : folder.name;
    const phases: PhaseRow[] | undefined = folder.phases?.map((p) => ({
      phase: p.phase,
      firstRun: p.firstRun,
      lastRun: p.lastRun,
      startHpi: hoursByRun.get(p.firstRun) ?? null,
      endHpi: hoursByRun.get(p.lastRun) ?? null,
    }));
    const result = await this.embryos.importEmbryo({
      clinicId: options.grant.clinicId,
      externalId: folder.name,
      label,
      candidates,
      annotations: phases ? { phases, outcome: outcomeFromPhases(phases) } : undefined,
      signal: options.signal,
      onFrames,
      onStored: options.onFramesStored,
    });
    result.problems.unshift(...problems);
    await recordEmbryo(recorder, item, result, notes);
  }

  /** Runs with an image in some planes only, and time rows without any image: kept as notes, not errors. */
  private coverageNotes(exp: FolderExport, folder: EmbryoFolder): string[] {
    const planesByRun = new Map<number, Set<number>>();
    for (const f of folder.files) {
      if (!folder.hoursByRun!.has(f.run)) continue; // reported on its own as having no time
      if (!planesByRun.has(f.run)) planesByRun.set(f.run, new Set());
      planesByRun.get(f.run)!.add(f.focalPlaneUm);
    }
    const notes: string[] = [];
    const partial = [...planesByRun].filter(([, planes]) => planes.size < exp.planes.length).map(([run]) => run);
    if (partial.length)
      notes.push(
        `${partial.length} run${partial.length === 1 ? '' : 's'} with an image in some planes only (RUN ${describeRuns(partial)})`,
      );
    const orphans = [...folder.hoursByRun!.keys()].filter((run) => !planesByRun.has(run));
    if (orphans.length)
      notes.push(
        `${orphans.length} time row${orphans.length === 1 ? '' : 's'} without an image (RUN ${describeRuns(orphans)})`,
      );
    return notes;
  }
}

/**
 * Narrows an embryo folder to the frame files `accept` takes (an import source's new, settled
 * files); false when nothing of the embryo is accepted, neither a frame nor its time or phase file.
 */
function acceptedPart(exp: FolderExport, folder: EmbryoFolder, accept: (path: string) => boolean): boolean {
  const sideFiles = [
    join(exp.root, TIME_FOLDER, timeFileName(folder.name)),
    join(exp.root, ANNOTATIONS_FOLDER, phasesFileName(folder.name)),
  ];
  folder.files = folder.files.filter((f) => accept(f.path));
  folder.problems = folder.problems.filter((p) => accept(join(exp.root, p.item)));
  return folder.files.length > 0 || sideFiles.some(accept);
}
