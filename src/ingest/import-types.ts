import type { ClinicGrant } from '../auth/grants';
import type { ImportItemStatus, ImportKind, RunStatus } from '../entities';
import type { ImportItem } from '../entities/repositories';
import type { WaitForDatabaseOptions } from '../platform/database/reconnect';

/** What every import takes: the clinic and who acts (LAB_WORK), and optional progress / cancellation hooks. */
export interface ImportOptions {
  grant: ClinicGrant;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting stops the import between frame batches; the embryo in flight rolls back whole. */
  signal?: AbortSignal;
  /** The lease of the importing process: if it dies, the sweeper closes the run (src/jobs/stale-run-sweeper.ts). */
  leaseId?: string;
  /** How long to wait for a database that went away (a restart) before giving up; default 0. */
  databaseWaitMs?: number;
  /** Told when the import starts waiting for the database and when it is back. */
  onDatabaseWait?: WaitForDatabaseOptions['onWait'];
  /** What the import run's `source` says instead of the paths (a push over STOW-RS). */
  sourceLabel?: string;
  /** The import source whose scan runs this import (stored on the import run). */
  importSourceId?: string;
  /**
   * Restricts a folder import to these frame files (absolute paths): others are as if absent, and
   * an embryo folder none of whose files is accepted, and whose time and phase files are not
   * either, is not visited. Import sources pass the new, settled files of a scan.
   */
  acceptFile?: (path: string) => boolean;
  /** Told, after an embryo's frames are committed, which embryo got how many new frames. */
  onFramesStored?: (embryoId: string, frames: number) => void;
}

/** Progress of a running import, for progress bars and job logs. */
export interface ImportProgress {
  kind: ImportKind;
  /** Units done / total: embryos (folder, pdb), files (DICOM) or rows (cycle sheet). */
  unitsDone: number;
  unitsTotal: number;
  /** Frames written or recognised so far (0 for cycle sheets). */
  frames: number;
  /** The unit being worked on. */
  current: string;
}

/** What an import did, as stored in import_run + import_run_item. */
export interface ImportRunReport {
  importRunId: string;
  kind: ImportKind;
  source: string;
  status: RunStatus;
  counts: Record<ImportItemStatus, number>;
  framesStored: number;
  framesAlreadyStored: number;
  /** The outcome of each item: an embryo, a file or a sheet row. */
  items: ImportItem[];
  /** True when the import was cancelled through its AbortSignal before it finished. */
  aborted: boolean;
  durationMs: number;
  /**
   * Set when the report could not be written (the database stayed away): the run is closed by the
   * sweeper once this process's lease expires, with the items written before.
   */
  notSaved?: string;
}

/** Thrown inside an embryo's transaction when the import's AbortSignal fired, so the embryo rolls back. */
export class ImportAbortedError extends Error {
  override name = 'ImportAbortedError';
  constructor() {
    super('import aborted');
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ImportAbortedError();
}
