import { join, relative } from 'node:path';
import type { ClinicGrant } from '../../auth/grants';
import type { ImportSource, SourceFileStatus } from '../../entities';
import type { DataStore, SeenFileRow } from '../../entities/repositories';
import type { ImportService } from '../import.service';
import type { ImportOptions, ImportRunReport } from '../import-types';
import { confineToRoots } from './allowed-roots';
import { planScan } from './scan-plan';
import { embryoOfFrameFile } from './scan-plan';
import { listSourceFiles, type ListedFile } from './source-files';

export interface SourceScanSettings {
  roots: readonly string[];
  settleMs: number;
  /** DICOM_FOCAL_PLANE_TAG, for DICOM drop folders. */
  focalPlaneTag?: string;
}

/** What one scan of a source did. */
export interface SourceScanResult {
  /** The import runs it made (none when nothing new had settled). */
  runs: ImportRunReport[];
  filesImported: number;
  filesWaiting: number;
  filesUnchanged: number;
  /** Embryos that got new frames, with how many. */
  framesByEmbryo: Map<string, number>;
}

/**
 * One scan of an import source: lists its folder, imports what is new and settled through the
 * ImportService (each import an import_run linked to the source), and remembers every file's
 * size, mtime and outcome so the next scan passes over stored files without reading them.
 * Errors that stop the scan (folder gone, outside the roots, database) are thrown; the files of
 * this scan are then not remembered and are taken again at the next tick.
 */
export class SourceScanner {
  constructor(
    private readonly store: DataStore,
    private readonly imports: ImportService,
    private readonly settings: SourceScanSettings,
  ) {}

  async scan(
    source: ImportSource,
    grant: ClinicGrant,
    options: {
      now?: number;
      retryFailed?: boolean;
      retrySkipped?: boolean;
      signal?: AbortSignal;
      /** The scanning worker's lease and database wait (README "Failures and recovery"). */
      process?: Pick<ImportOptions, 'leaseId' | 'databaseWaitMs'>;
    } = {},
  ): Promise<SourceScanResult> {
    const root = await confineToRoots(source.path, this.settings.roots);
    const listed = await listSourceFiles(root, source.kind);
    const seen = await this.store.importSources.seenFiles(source.id);
    const plan = planScan(listed, seen, {
      kind: source.kind,
      now: options.now ?? Date.now(),
      settleMs: this.settings.settleMs,
      retryFailed: options.retryFailed,
      retrySkipped: options.retrySkipped,
    });
    const framesByEmbryo = new Map<string, number>();
    const importOptions: ImportOptions = {
      grant,
      importSourceId: source.id,
      signal: options.signal,
      ...options.process,
      onFramesStored: (embryoId, frames) => framesByEmbryo.set(embryoId, (framesByEmbryo.get(embryoId) ?? 0) + frames),
    };
    const runs = plan.ready.length > 0 ? await this.importReady(source, root, plan.ready, importOptions) : [];
    const outcomes = runs.length > 0 ? fileOutcomes(source, root, plan.ready, runs) : [];
    await this.store.importSources.recordFiles(source.id, [...outcomes, ...plan.waiting]);
    await this.store.importSources.forgetFiles(source.id, plan.gone);
    return {
      runs,
      filesImported: plan.ready.length,
      filesWaiting: plan.waiting.length,
      filesUnchanged: plan.unchanged,
      framesByEmbryo,
    };
  }

  private async importReady(
    source: ImportSource,
    root: string,
    ready: ListedFile[],
    options: ImportOptions,
  ): Promise<ImportRunReport[]> {
    const absolute = ready.map((f) => join(root, f.path));
    switch (source.kind) {
      case 'FOLDER': {
        const accepted = new Set(absolute);
        return [await this.imports.importFolder(root, { ...options, acceptFile: (p) => accepted.has(p) })];
      }
      case 'DICOM':
        return [await this.imports.importDicom(absolute, { ...options, focalPlaneTag: this.settings.focalPlaneTag })];
      case 'PDB':
        return [await this.imports.importPdb(absolute, options)];
      case 'CYCLES': {
        const runs: ImportRunReport[] = [];
        for (const path of absolute) runs.push(await this.imports.importCycleSheet(path, options));
        return runs;
      }
    }
  }
}

/**
 * Each imported file's outcome, from the runs' item reports: `failed` or `skipped` as its own item
 * (`failed` too when, in a folder export, its embryo was refused as a whole), otherwise `stored`.
 */
function fileOutcomes(source: ImportSource, root: string, ready: ListedFile[], runs: ImportRunReport[]): SeenFileRow[] {
  const notStored = new Map<string, 'failed' | 'skipped'>();
  const failedEmbryos = new Set<string>();
  for (const run of runs) {
    for (const item of run.items) {
      if (item.status !== 'failed' && item.status !== 'skipped') continue;
      notStored.set(item.item, item.status);
      const embryo = /^embryo (.+)$/.exec(item.item)?.[1];
      if (embryo) failedEmbryos.add(embryo);
    }
  }
  const runOfSheet = new Map(runs.map((r) => [r.source, r]));
  return ready.map((file) => {
    const absolute = join(root, file.path);
    let status: SourceFileStatus;
    if (source.kind === 'CYCLES') status = runOfSheet.get(absolute)?.status === 'FAILED' ? 'failed' : 'stored';
    else if (source.kind === 'FOLDER')
      status =
        notStored.get(relative(root, absolute)) ??
        (failedEmbryos.has(embryoOfFrameFile(file.path) ?? '\u0000') ? 'failed' : 'stored');
    else status = notStored.get(absolute) ?? 'stored';
    return { ...file, status };
  });
}
