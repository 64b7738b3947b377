import type { ImportItemStatus, ImportKind, RunStatus } from '../entities';
import type { AuditActor } from '../platform/audit/audit-actions';

/** What every import takes: whose clinic, who asked, and optional progress / cancellation hooks. */
export interface ImportOptions {
  clinicId: string;
  actor: AuditActor;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborting stops the import between frame batches; the embryo in flight rolls back whole. */
  signal?: AbortSignal;
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

/** The outcome for one item: an embryo, a file or a sheet row. */
export interface ImportItemResult {
  item: string;
  status: ImportItemStatus;
  reason: string | null;
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
  items: ImportItemResult[];
  /** True when the import was cancelled through its AbortSignal before it finished. */
  aborted: boolean;
  durationMs: number;
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
