import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostFingerprint, tuningKey } from './host-fingerprint';
import type { RunTuning, TuningEntry } from './run-tuning';

/** DATA_DIR/inference-tuning.json: one entry per (host fingerprint, model sha256, provider). */
export const TUNING_FILE = 'inference-tuning.json';
const FORMAT = 1;

interface TuningFile {
  format: number;
  entries: Record<string, TuningEntry>;
}

export function tuningFilePath(dataDir: string): string {
  return join(dataDir, TUNING_FILE);
}

/** The file's entries; a missing, unreadable or foreign file reads as empty (tuning is only a speed-up). */
export function readTuningFile(path: string): TuningFile {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as TuningFile;
    if (parsed?.format === FORMAT && parsed.entries && typeof parsed.entries === 'object') return parsed;
  } catch {
    // fall through
  }
  return { format: FORMAT, entries: {} };
}

/** Adds or replaces one entry; written to a temporary file and renamed, so a reader never sees half a file. */
export function saveTuning(path: string, entry: TuningEntry): void {
  const file = readTuningFile(path);
  file.entries[entry.key] = entry;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
}

/** This host's tuning of a model, if it was measured here (same CPU, threads and ONNX Runtime build). */
export function lookupTuning(path: string, modelSha256: string, provider: string): TuningEntry | undefined {
  const entry = readTuningFile(path).entries[tuningKey(hostFingerprint(), modelSha256, provider)];
  return entry && isRunTuning(entry.tuning) ? entry : undefined;
}

function isRunTuning(t: RunTuning | undefined): t is RunTuning {
  const s = t?.session;
  return (
    !!s &&
    Number.isInteger(s.intraOpThreads) &&
    s.intraOpThreads > 0 &&
    typeof s.spinning === 'boolean' &&
    typeof s.denormalAsZero === 'boolean' &&
    typeof s.memArena === 'boolean' &&
    Number.isInteger(t!.embryoSegmentsPerRun) &&
    t!.embryoSegmentsPerRun > 0
  );
}
