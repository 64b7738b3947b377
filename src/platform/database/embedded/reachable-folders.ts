import { existsSync } from 'node:fs';
import { chmod, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, parse, sep } from 'node:path';
import type { ServiceUser } from './service-user';

/**
 * The first folder on the way to `dir` (itself included) that `user` may not enter, or undefined
 * when every existing one is open to it. Judged from the mode bits as the kernel does for a process
 * that has only the user's primary group (Node drops supplementary groups when it switches user).
 */
export async function firstClosedFolder(dir: string, user: ServiceUser): Promise<string | undefined> {
  const real = await realpathOfExisting(dir);
  const { root } = parse(real);
  const parts = real.slice(root.length).split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = join(root, ...parts.slice(0, i));
    if (!mayEnter(await stat(folder), user)) return folder;
  }
  return undefined;
}

function mayEnter(st: { uid: number; gid: number; mode: number }, user: ServiceUser): boolean {
  if (user.uid === 0) return true;
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The real path of `path`, or of its deepest existing ancestor when it does not exist yet. */
async function realpathOfExisting(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : realpathOfExisting(parent);
  }
}

/** mkdir -p with mode 0755 for the folders it creates, whatever the umask. */
export async function mkdirOpen(dir: string): Promise<void> {
  if (existsSync(dir)) return;
  await mkdirOpen(dirname(dir));
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(dir, 0o755);
}
