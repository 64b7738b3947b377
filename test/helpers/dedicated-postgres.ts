import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../../src/app/database';
import { createServices, type AppServices } from '../../src/app/services';
import type { DataStore } from '../../src/entities/repositories';
import { freePort } from '../../src/platform/net/free-port';
import { REPO_ROOT, assertBuilt } from './cli';

/**
 * A PostgreSQL of its own for the fault tests that stop and restart the server, so the shared test
 * database of the other test files is never disturbed. Started by the product's compiled embedded
 * runner (as `npm start` does), on a throw-away cluster; `restart` stops it and starts it again on
 * the same data and port, the way an operator's restart (or a failover) looks to the clients.
 */
export interface DedicatedPostgres {
  /** URL of the migrated `amsnet` database. */
  url: string;
  services: AppServices;
  store: DataStore;
  dataSource: DataSource;
  /** Stops the server (fast shutdown: sessions are terminated, as in a restart). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops, stays down for `downMs`, starts again; resolves once it accepts connections. */
  restart(downMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

interface CompiledServer {
  stop(): Promise<void>;
  url(database?: string): string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  assertBuilt();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startEmbeddedServer } = require(
    join(REPO_ROOT, 'dist', 'src', 'platform', 'database', 'embedded', 'embedded-server.js'),
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'amsnet-fault-pg-'));
  await chmod(dataDir, 0o755); // the postgres user (when root) keeps the cluster right here
  const port = await freePort();
  const options = {
    dataDir,
    port,
    password: 'test',
    initdbFlags: ['--no-sync'],
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 100 },
    log: quiet,
  };
  let server: CompiledServer | undefined = await startEmbeddedServer(options);
  const admin = new Client({ connectionString: server!.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE amsnet');
  await admin.end();
  const url = server!.url('amsnet');
  const dataSource = createAppDataSource({ url, poolSize: 4 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const services = createServices({ dataSource, databaseUrl: url });

  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  const start = async () => {
    if (!server) server = await startEmbeddedServer(options);
  };
  return {
    url,
    services,
    store: services.store,
    dataSource,
    stop,
    start,
    async restart(downMs = 0) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async destroy() {
      await services.close().catch(() => undefined);
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
