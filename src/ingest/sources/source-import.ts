import { join, relative } from 'node:path';
import type { ClinicGrant } from '../../auth/grants';
import type { ImportSource, SourceFileStatus } from '../../entities';
import type { DataStore, SeenFile, SeenFileRow } from '../../entities/repositories';
import type { ImportService } from '../import.service';
import type { ImportOptions, ImportRunReport } from '../import-types';
import { confineToRoots } from './allowed-roots';
import { folderOf, foldersAfterScan, listedFolders, triageFolders, type ListedFolder } from './folder-digests';
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
 * size, mtime and outcome so the next scan passes over stored files without reading them; and each
 * folder's digest once all of it is stored, so the next scan passes over such a folder without
 * even reading its files' rows (folder-digests.ts).
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
    // the folder listing (readdir + stat, in this process) and the known folders (the database) at once
    const [listed, known] = await Promise.all([
      listSourceFiles(root, source.kind),
      this.store.importSources.folders(source.id),
    ]);
    const folders = listedFolders(listed);
    const triage = triageFolders(folders, known);
    const seen = await this.store.importSources.seenFiles(source.id, triage.lookAt);
    const plan = planScan(triage.listedToCompare, seen, {
      kind: source.kind,
      now: options.now ?? Date.now(),
      settleMs: this.settings.settleMs,
      retryFailed: options.retryFailed,
      retrySkipped: options.retrySkipped,
    });
    plan.unchanged += triage.unchangedFiles;
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
    await this.remember(source.id, folders, triage.lookAt, seen, [...outcomes, ...plan.waiting], plan.gone);
    return {
      runs,
      filesImported: plan.ready.length,
      filesWaiting: plan.waiting.length,
      filesUnchanged: plan.unchanged,
      framesByEmbryo,
    };
  }

  /**
   * Records, in one transaction, what this scan learnt: the files imported or waiting, the files
   * gone, and each folder it looked at (settled with its digest when all of it is stored). With
   * `lookAt` null (no folder known yet) it looked at every listed folder and every folder of a row.
   */
  private async remember(
    sourceId: string,
    folders: Map<string, ListedFolder>,
    lookAt: string[] | null,
    seen: Map<string, SeenFile>,
    files: SeenFileRow[],
    gone: string[],
  ): Promise<void> {
    const lookedAt = lookAt ?? new Set([...folders.keys(), ...[...seen.keys()].map(folderOf)]);
    const now = new Map(files.map((f) => [f.path, f.status]));
    const after = foldersAfterScan(folders, lookedAt, (path) => now.get(path) ?? seen.get(path)?.status);
    if (files.length + gone.length + after.record.length + after.gone.length === 0) return;
    await this.store.transaction(async (tx) => {
      await tx.importSources.recordFiles(sourceId, files);
      await tx.importSources.forgetFiles(sourceId, gone);
      await tx.importSources.recordFolders(sourceId, after.record, after.gone);
    });
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
