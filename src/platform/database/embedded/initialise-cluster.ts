import { chown, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PostgresBinaries } from './binaries';
import { clusterState } from './cluster-location';
import type { EmbeddedLog } from './embedded-log';
import { runToEnd } from './server-process';
import type { ServiceUser } from './service-user';
import { cannotRun, EmbeddedPostgresError, explainServerOutput, systemReason, systemRemedy } from './start-failure';

export interface ClusterSettings {
  password: string;
  port: number;
  initdbFlags: string[];
}

/**
 * Creates the cluster in `dir` with initdb, owned by `user`. initdb writes into a staging folder
 * that is renamed into place once complete, so a start interrupted half-way leaves no half-made
 * cluster behind (only an empty folder, which the next start reuses).
 */
export async function initialiseCluster(
  binaries: PostgresBinaries,
  dir: string,
  settings: ClusterSettings,
  user: ServiceUser | undefined,
  log: EmbeddedLog,
): Promise<void> {
  if ((await clusterState(dir)) === 'other') {
    throw new EmbeddedPostgresError(
      `${dir} exists but holds no PostgreSQL database (no PG_VERSION file)`,
      'Move it away or delete it, then start again.',
    );
  }
  const staging = `${dir}.initdb-${process.pid}`;
  const passwordFile = join(dirname(dir), `.initdb-password-${process.pid}`);
  try {
    await prepare(staging, passwordFile, settings.password, user);
    log.info({ clusterDir: dir }, 'initialising embedded PostgreSQL');
    const args = [
      `--pgdata=${staging}`,
      '--auth=password',
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--lc-messages=C',
      ...settings.initdbFlags,
    ];
    const result = await runToEnd(binaries.initdb, args, user, log).catch((error: unknown) => {
      throw cannotRun(binaries.initdb, error, user?.name);
    });
    if (result.code !== 0) throw explainServerOutput('initdb', result.output, { port: settings.port, clusterDir: dir });
    await rename(staging, dir).catch((error: unknown) => {
      throw new EmbeddedPostgresError(
        `cannot move the new database into ${dir} (${systemReason(error)})`,
        systemRemedy(error, 'Check that folder, then start again.'),
      );
    });
  } finally {
    await rm(passwordFile, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

async function prepare(
  staging: string,
  passwordFile: string,
  password: string,
  user: ServiceUser | undefined,
): Promise<void> {
  try {
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { mode: 0o700 });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (user) {
      await chown(staging, user.uid, user.gid);
      await chown(passwordFile, user.uid, user.gid);
    }
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot write to ${dirname(staging)} (${systemReason(error)})`,
      systemRemedy(error, 'Set DATA_DIR to a folder this user can write.'),
    );
  }
}
