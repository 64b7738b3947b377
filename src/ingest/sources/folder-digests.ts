import { createHash } from 'node:crypto';
import type { SourceFileStatus } from '../../entities';
import type { SourceFolder } from '../../entities/repositories';
import type { ListedFile } from './source-files';

/** `a/b/c.jpeg` → `a/b`; a file at the top of the source → `''` (as the column import_source_file.folder). */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** A folder of a listing: its files (in listing order) and the digest of their names, sizes and mtimes. */
export interface ListedFolder {
  files: ListedFile[];
  digest: string;
}

/** The listing by folder, each with its digest. */
export function listedFolders(listed: readonly ListedFile[]): Map<string, ListedFolder> {
  const byFolder = new Map<string, ListedFile[]>();
  for (const file of listed) {
    const folder = folderOf(file.path);
    const files = byFolder.get(folder);
    if (files) files.push(file);
    else byFolder.set(folder, [file]);
  }
  const out = new Map<string, ListedFolder>();
  for (const [folder, files] of byFolder) out.set(folder, { files, digest: digestOf(files) });
  return out;
}

/** MD5 of one `path NUL size NUL mtime` line per file: any file added, removed, resized or touched changes it. */
function digestOf(files: readonly ListedFile[]): string {
  let text = '';
  for (const f of files) text += `${f.path}\u0000${f.size}\u0000${f.mtimeMs}\n`;
  return createHash('md5').update(text).digest('hex');
}

/** Which folders a rescan must look at file by file, and which it may pass over as a whole. */
export interface FolderTriage {
  /**
   * Folders whose files' rows are read and compared: listed ones not settled with this digest, and
   * known ones that are gone. Null: no folder is known yet (a new source, or rows recorded before
   * folders were): every row is read.
   */
  lookAt: string[] | null;
  /** Listed files in settled folders whose digest did not change: stored, unchanged, not read. */
  unchangedFiles: number;
  /** The listing less the files of the passed-over folders. */
  listedToCompare: ListedFile[];
}

/**
 * Compares the listing's folders with the known ones: a folder whose digest is the one recorded
 * when every file of it was stored holds only unchanged stored files (same paths, sizes and
 * mtimes), so none of its rows needs reading.
 */
export function triageFolders(folders: Map<string, ListedFolder>, known: Map<string, string | null>): FolderTriage {
  if (known.size === 0)
    return { lookAt: null, unchangedFiles: 0, listedToCompare: [...folders.values()].flatMap((f) => f.files) };
  const lookAt: string[] = [];
  const listedToCompare: ListedFile[] = [];
  let unchangedFiles = 0;
  for (const [folder, listed] of folders) {
    if (known.get(folder) === listed.digest) unchangedFiles += listed.files.length;
    else {
      lookAt.push(folder);
      for (const f of listed.files) listedToCompare.push(f);
    }
  }
  for (const folder of known.keys()) if (!folders.has(folder)) lookAt.push(folder);
  return { lookAt, unchangedFiles, listedToCompare };
}

/**
 * After a scan, what to record of each folder it looked at: a listed one with its digest when every
 * file of it is now `stored` (settled), with null otherwise; one no longer listed is gone.
 */
export function foldersAfterScan(
  folders: Map<string, ListedFolder>,
  lookedAt: Iterable<string>,
  statusOf: (path: string) => SourceFileStatus | undefined,
): { record: SourceFolder[]; gone: string[] } {
  const record: SourceFolder[] = [];
  const gone: string[] = [];
  for (const folder of lookedAt) {
    const listed = folders.get(folder);
    if (!listed) gone.push(folder);
    else
      record.push({
        folder,
        digest: listed.files.every((f) => statusOf(f.path) === 'stored') ? listed.digest : null,
        files: listed.files.length,
      });
  }
  return { record, gone };
}
