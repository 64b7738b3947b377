import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Every regular file under the given paths (files as given, folders walked recursively), sorted,
 * yielded one at a time so a large PACS export is never listed into memory at once per folder level.
 */
export async function* walkFiles(paths: string[]): AsyncGenerator<string> {
  for (const p of paths) {
    const path = resolve(p);
    const info = await stat(path).catch(() => null);
    if (!info) {
      yield path; // reported as unreadable by the importer
    } else if (info.isDirectory()) {
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (e.isDirectory()) yield* walkFiles([join(path, e.name)]);
        else if (e.isFile()) yield join(path, e.name);
      }
    } else {
      yield path;
    }
  }
}
