import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EmbeddedLog } from './embedded-log';
import { postmasterStatus } from './server-process';
import { EmbeddedPostgresError } from './start-failure';

const STOPPING_WAIT_MS = 30_000;

/**
 * Makes sure no other server holds the cluster's postmaster.pid. PostgreSQL itself ignores a lock
 * whose PID is dead; it refuses one whose PID is alive, even when that PID now belongs to another
 * program (common in containers, where PIDs repeat after a restart): such a lock is removed here.
 * A server of this cluster that is shutting down is waited for; one that runs is reported.
 */
export async function clearStaleLock(clusterDir: string, log: EmbeddedLog): Promise<void> {
  const holder = await postmasterStatus(clusterDir);
  if (!holder || !Number.isInteger(holder.pid) || holder.pid <= 0 || !isAlive(holder.pid)) return;
  if (!(await isPostgres(holder.pid))) {
    await rm(join(clusterDir, 'postmaster.pid'), { force: true });
    log.warn(
      { lockPid: holder.pid, clusterDir },
      'removed a stale postmaster.pid: its PID now belongs to another program',
    );
    return;
  }
  if (holder.status === 'stopping') {
    const deadline = Date.now() + STOPPING_WAIT_MS;
    while (isAlive(holder.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!isAlive(holder.pid)) return;
  }
  throw new EmbeddedPostgresError(
    `another PostgreSQL server (PID ${holder.pid}) is already running on ${clusterDir}`,
    `Stop the amsnet process that uses this DATA_DIR (or \`kill ${holder.pid}\`), or set DATA_DIR to another folder.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` runs a postgres program; assumed so where /proc cannot tell. */
async function isPostgres(pid: number): Promise<boolean> {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const program = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0];
    return basename(program) === 'postgres' || program.startsWith('postgres:');
  } catch {
    return false; // gone meanwhile
  }
}
