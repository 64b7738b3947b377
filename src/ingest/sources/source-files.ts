import type { Dirent } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportKind } from '../../entities';
import { listWithFind } from './find-listing';

/** A file of a source folder as a scan sees it: path relative to the folder, size, mtime. */
export interface ListedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Which files of a folder each kind of source imports. Hidden files (temporary copies) never. */
const WANTED: Record<ImportKind, (name: string) => boolean> = {
  FOLDER: (name) => /\.(jpe?g|csv)$/i.test(name),
  PDB: (name) => /\.pdb$/i.test(name),
  DICOM: () => true,
  CYCLES: (name) => /\.csv$/i.test(name),
};

/**
 * Files stat'ed between two yields to the event loop. Synchronous stats of a warm directory tree
 * cost a few microseconds each, several times less than one promise through the libuv pool per
 * file; yielding every few thousand keeps a process that also serves HTTP responsive.
 */
const STATS_PER_SLICE = 2000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Every wanted regular file under `root`, recursively, sorted by path. Symlinks are neither
 * followed nor listed (a link could lead outside the allowed roots), and hidden files and folders
 * (temporary copies) are skipped. Listed by GNU find where there is one (find-listing.ts: ≈ 2×
 * faster on 100,000 files, and off the event loop), otherwise by a walk in this process.
 */
export async function listSourceFiles(root: string, kind: ImportKind): Promise<ListedFile[]> {
  const wanted = WANTED[kind];
  const found = await listWithFind(root);
  const files = found
    ? found.filter((f) => wanted(f.path.slice(f.path.lastIndexOf('/') + 1)))
    : await walk(root, wanted);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The same listing by readdir and a stat per file, in this process. */
export async function walk(root: string, wanted: (name: string) => boolean): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  const folders = [''];
  let sinceYield = 0;
  while (folders.length > 0) {
    const relDir = folders.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, relDir), { withFileTypes: true });
    } catch (error) {
      if (relDir === '') throw error;
      continue; // a subfolder removed while listing
    }
    const prefix = relDir === '' ? `${root}/` : `${root}/${relDir}/`; // root is resolved: no join() per file
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) folders.push(rel);
      else if (e.isFile() && wanted(e.name)) {
        const info = statSync(prefix + e.name, { throwIfNoEntry: false }); // gone since listed: next tick
        if (info?.isFile()) files.push({ path: rel, size: info.size, mtimeMs: info.mtimeMs });
        if (++sinceYield >= STATS_PER_SLICE) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      }
    }
  }
  return files;
}

/** Which files of a folder each kind of source imports (by name). */
export function wantedBy(kind: ImportKind): (name: string) => boolean {
  return WANTED[kind];
}
