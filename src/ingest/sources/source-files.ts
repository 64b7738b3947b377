import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportKind } from '../../entities';

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

/** Stats in flight: enough to keep the disk busy, few enough for the libuv pool. */
const STAT_CONCURRENCY = 32;

/**
 * Every wanted regular file under `root`, recursively. Symlinks are neither followed nor listed
 * (a link could lead outside the allowed roots), and hidden files and folders are skipped.
 */
export async function listSourceFiles(root: string, kind: ImportKind): Promise<ListedFile[]> {
  const wanted = WANTED[kind];
  const names: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, relDir), { withFileTypes: true });
    } catch (error) {
      if (relDir === '') throw error;
      return; // a subfolder removed while listing
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) await walk(rel);
      else if (e.isFile() && wanted(e.name)) names.push(rel);
    }
  };
  await walk('');
  const files: ListedFile[] = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const path = names[next++];
      const info = await stat(join(root, path)).catch(() => null); // gone since listed: next tick
      if (info?.isFile()) files.push({ path, size: info.size, mtimeMs: info.mtimeMs });
    }
  };
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
