import { spawn } from 'node:child_process';
import type { ListedFile } from './source-files';

/**
 * Lists every regular file under `root` with GNU find, in one child process: find stats each file
 * relative to its folder in C, several times cheaper than a stat call per file from JavaScript,
 * and the listing runs outside this process's event loop. Same rules as the walk in
 * source-files.ts: symlinks are neither followed nor listed, hidden files and folders are skipped.
 * Null when find is not GNU find (no -printf) or did not list the whole folder (exit status not 0:
 * an unreadable subfolder, the folder gone): the caller then walks the folder itself, which knows
 * how to report those.
 */
export async function listWithFind(root: string): Promise<ListedFile[] | null> {
  if (!(await gnuFindAvailable())) return null;
  const out = await run(
    ['.', '-mindepth', '1', '-name', '.*', '-prune', '-o', '-type', 'f', '-printf', '%s %T@ %P\\0'],
    root,
  );
  if (out === null) return null;
  const files: ListedFile[] = [];
  for (const record of out.toString('utf8').split('\0')) {
    if (record === '') continue;
    const a = record.indexOf(' ');
    const b = record.indexOf(' ', a + 1);
    files.push({
      path: record.slice(b + 1),
      size: Number(record.slice(0, a)),
      mtimeMs: mtimeMs(record.slice(a + 1, b)),
    });
  }
  return files;
}

/**
 * `%T@` (seconds, a dot, nanoseconds) → milliseconds exactly as Node computes Stats.mtimeMs
 * (seconds × 1e3 + nanoseconds / 1e6), so a file is "unchanged" whichever lister saw it before.
 */
function mtimeMs(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0 || text.startsWith('-')) return Number(text) * 1e3; // before 1970: no need to be exact
  const ns = Number(text.slice(dot + 1, dot + 10).padEnd(9, '0'));
  return Number(text.slice(0, dot)) * 1e3 + ns / 1e6;
}

let available: Promise<boolean> | undefined;

/** Whether `find` is GNU find (it has -printf); asked once per process. */
function gnuFindAvailable(): Promise<boolean> {
  available ??= run(['/', '-maxdepth', '0', '-printf', ''], '/').then((out) => out !== null);
  return available;
}

/** find's standard output, or null when it could not start or exited with another status than 0. */
function run(args: string[], cwd: string): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn('find', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(chunks) : null));
  });
}
