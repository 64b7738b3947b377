import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, realpath, rmdir, stat, symlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { EmbeddedLog } from './embedded-log';
import { firstClosedFolder, mkdirOpen } from './reachable-folders';
import type { ServiceUser } from './service-user';
import { EmbeddedPostgresError, systemReason, systemRemedy } from './start-failure';

/** Where root keeps the clusters of data folders that the `postgres` user cannot enter. */
export const RELOCATED_CLUSTERS_DIR = '/var/lib/amsnet/postgres';

export interface ClusterLocation {
  /** The cluster folder (it may not exist yet). */
  dir: string;
  /** Set when the cluster lives outside DATA_DIR: this path must become a link to `dir` once `dir` holds a cluster. */
  link?: string;
}

/** What a would-be cluster folder holds. */
export type ClusterState = 'absent' | 'empty' | 'cluster' | 'other';

export async function clusterState(dir: string): Promise<ClusterState> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new EmbeddedPostgresError(
      `cannot read the database folder ${dir} (${systemReason(error)})`,
      'Run amsnet as the user that owns it (or as root), or set DATA_DIR to another folder.',
    );
  }
  if (entries.includes('PG_VERSION')) return 'cluster';
  return entries.length === 0 ? 'empty' : 'other';
}

/**
 * The cluster of a data folder is DATA_DIR/postgres. When that is a link, the cluster is where it
 * points. As root, when the `postgres` user cannot enter DATA_DIR (a checkout in /root/app, mode
 * 0700), a new cluster goes under RELOCATED_CLUSTERS_DIR, in a folder named after DATA_DIR, and
 * DATA_DIR/postgres becomes a link to it: the data stays put across restarts and moves of the
 * checkout, and the link says where it is. Nothing is ever moved or deleted silently: a cluster
 * the postgres user cannot reach, or a relocated one without its link, stops the start with the
 * commands that fix it.
 */
export async function locateCluster(
  dataDir: string,
  user: ServiceUser | undefined,
  log: EmbeddedLog,
): Promise<ClusterLocation> {
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot create the data folder ${dataDir} (${systemReason(error)})`,
      systemRemedy(error, 'Set DATA_DIR to a folder this user can write.'),
    );
  }
  const inside = join(dataDir, 'postgres');
  const entry = await lstat(inside).catch(() => undefined);
  if (entry?.isSymbolicLink()) return followLink(dataDir, inside, user);
  if (!user) return { dir: inside };
  const closed = await firstClosedFolder(dataDir, user);
  if (!closed) return { dir: inside };

  const target = join(RELOCATED_CLUSTERS_DIR, await relocatedName(dataDir));
  const state = await clusterState(inside);
  if (state === 'cluster' || state === 'other') {
    throw new EmbeddedPostgresError(
      `the ${user.name} user cannot enter ${closed} (mode ${await modeOf(closed)}), so it cannot reach the database in ${inside}`,
      `Move the database out and link it: \`mkdir -p ${RELOCATED_CLUSTERS_DIR} && mv ${inside} ${target} && ln -s ${target} ${inside}\`; or open the folder with \`chmod o+x ${closed}\`.`,
    );
  }
  if ((await clusterState(target)) !== 'absent') {
    throw new EmbeddedPostgresError(
      `a database for this DATA_DIR already exists in ${target}, but ${inside} does not link to it`,
      `To keep it: \`ln -s ${target} ${inside}\`. To start with an empty database: \`rm -rf ${target}\`.`,
    );
  }
  try {
    if (state === 'empty') await rmdir(inside); // left by an earlier start that failed
    await mkdirOpen(RELOCATED_CLUSTERS_DIR);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the ${user.name} user cannot enter ${closed}, and ${RELOCATED_CLUSTERS_DIR} cannot be created (${systemReason(error)})`,
      systemRemedy(
        error,
        `Set DATA_DIR to a folder that others can enter (e.g. under /var/lib or /opt), run amsnet as a non-root user, or set DATABASE_URL.`,
      ),
    );
  }
  log.info(
    { dataDir, clusterDir: target },
    `the ${user.name} user cannot enter ${closed}: the database goes to ${target}, linked from ${inside}`,
  );
  return { dir: target, link: inside };
}

async function followLink(dataDir: string, link: string, user: ServiceUser | undefined): Promise<ClusterLocation> {
  const target = resolve(dataDir, await readlink(link));
  if ((await clusterState(target)) !== 'cluster') {
    throw new EmbeddedPostgresError(
      `${link} links to ${target}, which holds no database`,
      'Restore that folder, or remove the link to start with an empty database.',
    );
  }
  const closed = user && (await firstClosedFolder(dirname(target), user));
  if (closed) {
    throw new EmbeddedPostgresError(
      `the ${user!.name} user cannot enter ${closed}, on the way to the database in ${target}`,
      `Open it with \`chmod o+x ${closed}\`, or move the database to a folder others can enter and update the link.`,
    );
  }
  return { dir: target };
}

/** Creates the link DATA_DIR/postgres → relocated cluster. */
export async function linkCluster(location: ClusterLocation): Promise<void> {
  if (!location.link) return;
  try {
    await symlink(location.dir, location.link);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the database was created in ${location.dir} but the link ${location.link} could not be made (${systemReason(error)})`,
      `Make it by hand: \`ln -s ${location.dir} ${location.link}\`.`,
    );
  }
}

/** "app-data-3f9c2a1b0d" for /root/app/.data: readable, and distinct for every data folder. */
async function relocatedName(dataDir: string): Promise<string> {
  const real = await realpath(dataDir);
  const words = real
    .split(sep)
    .slice(-2)
    .map((part) => part.replace(/[^A-Za-z0-9_-]+/g, ''))
    .filter(Boolean);
  return [...words, createHash('sha256').update(real).digest('hex').slice(0, 10)].join('-');
}

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');
}
