import type { ImportKind } from '../../entities';
import type { SeenFile, SeenFileRow } from '../../entities/repositories';
import { ANNOTATIONS_FOLDER, TIME_FOLDER } from '../folder/folder-export.layout';
import type { ListedFile } from './source-files';

/** What one scan does with the files of its source. */
export interface ScanPlan {
  /** New or changed files that have settled: imported now. */
  ready: ListedFile[];
  /** Files still being written (younger than the settle time, or changed since the last look). */
  waiting: SeenFileRow[];
  /** Files stored or failed before and unchanged since: not touched (no read, no decode). */
  unchanged: number;
  /** Paths seen before that are gone from the folder. */
  gone: string[];
}

export interface PlanOptions {
  kind: ImportKind;
  now: number;
  settleMs: number;
  /** Take unchanged failed and skipped files again (a manual rerun). */
  retryFailed?: boolean;
  /** Take unchanged skipped files again (a cycle sheet was imported since the last scan). */
  retrySkipped?: boolean;
}

/**
 * Compares a listing with what earlier scans saw, in memory (a Map lookup per file): a file is
 * imported once it is new or changed AND settled (its mtime at least `settleMs` old, and the same
 * size and mtime as at the last look when that look found it unsettled). A file that failed is
 * taken again only when it changed, or, in a folder export, when its embryo's time or phase file
 * changed (a frame whose time row had not been written yet); a skipped one also when
 * `retrySkipped` says that what it waited for may have arrived.
 */
export function planScan(listed: ListedFile[], seen: Map<string, SeenFile>, options: PlanOptions): ScanPlan {
  const plan: ScanPlan = { ready: [], waiting: [], unchanged: 0, gone: [] };
  const failedUnchanged: ListedFile[] = [];
  const present = new Set<string>();
  for (const file of listed) {
    present.add(file.path);
    const before = seen.get(file.path);
    const same = before !== undefined && before.size === file.size && before.mtimeMs === file.mtimeMs;
    const settled = options.now - file.mtimeMs >= options.settleMs;
    if (same && before.status === 'stored') {
      plan.unchanged += 1;
    } else if (same && (before.status === 'failed' || before.status === 'skipped')) {
      if (options.retryFailed || (options.retrySkipped && before.status === 'skipped')) plan.ready.push(file);
      else failedUnchanged.push(file);
    } else if (settled && (before === undefined || same || before.status !== 'pending')) {
      plan.ready.push(file);
    } else {
      plan.waiting.push({ ...file, status: 'pending' });
    }
  }
  if (options.kind === 'FOLDER' && failedUnchanged.length > 0) {
    const touched = new Set(plan.ready.map((f) => embryoOfSideFile(f.path)).filter((e): e is string => e !== null));
    for (const file of failedUnchanged) {
      if (touched.has(embryoOfFrameFile(file.path) ?? '')) plan.ready.push(file);
      else plan.unchanged += 1;
    }
  } else {
    plan.unchanged += failedUnchanged.length;
  }
  for (const path of seen.keys()) if (!present.has(path)) plan.gone.push(path);
  return plan;
}

/** `embryo_dataset_time_elapsed/E1_timeElapsed.csv` → E1 (also the phase files); null for other paths. */
export function embryoOfSideFile(path: string): string | null {
  const [folder, name, ...rest] = path.split('/');
  if (rest.length > 0 || name === undefined) return null;
  if (folder === TIME_FOLDER) return /^(.+)_timeElapsed\.csv$/.exec(name)?.[1] ?? null;
  if (folder === ANNOTATIONS_FOLDER) return /^(.+)_phases\.csv$/.exec(name)?.[1] ?? null;
  return null;
}

/** `embryo_dataset_F15/E1/…jpeg` → E1. */
export function embryoOfFrameFile(path: string): string | null {
  const parts = path.split('/');
  return parts.length >= 3 && /^embryo_dataset/.test(parts[0]) ? parts[1] : null;
}
