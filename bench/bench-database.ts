/**
 * What the benchmarks that need a database share: their command-line options, a scratch folder and
 * a throw-away database with every migration applied (on DATABASE_URL's server when set, otherwise
 * on an embedded PostgreSQL started in the scratch folder), all removed again however the bench ends.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../src/app/database';
import { startEmbeddedPostgres } from '../src/platform/database/embedded-postgres';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';

/** `--name value` on the command line, else BENCH_NAME in the environment, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1]
    ? process.argv[i + 1]
    : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}

export interface BenchDatabase {
  /** A scratch folder (mode 755, so the embedded server's user can read it), removed at the end. */
  scratch: string;
  /** The migrated throw-away database, initialised. */
  dataSource: DataSource;
  /** Its URL (for createServices and the job queue). */
  url: string;
}

/**
 * Runs `work` over a fresh scratch folder and database named `amsnet_bench_<name>_<pid>`; the data
 * source is destroyed, the database dropped, the embedded server stopped and the folder removed
 * afterwards, also when `work` throws.
 */
export async function withBenchDatabase<T>(name: string, work: (bench: BenchDatabase) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), `amsnet-bench-${name}-`));
  await chmod(scratch, 0o755);
  let embedded: { ownerUrl: string; stop(): Promise<void> } | undefined;
  let admin: Client | undefined;
  let dataSource: DataSource | undefined;
  const dbName = `amsnet_bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      // the owner's URL: the application role may not create databases
      embedded = await startEmbeddedPostgres(join(scratch, 'db'), await freePort(), createLogger('warn'));
      adminUrl = embedded.ownerUrl;
    }
    admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    dataSource = createAppDataSource({ url: url.toString(), poolSize: 4, applicationName: `amsnet-bench-${name}` });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    return await work({ scratch, dataSource, url: url.toString() });
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    await embedded?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
