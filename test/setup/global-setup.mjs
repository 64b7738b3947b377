// Starts one real PostgreSQL for the whole test run (embedded, in a throw-away folder) unless
// DATABASE_URL names a server, and creates the empty template database that the first test file
// migrates (test/helpers/database.ts). Test files each clone their own database from it.
// The embedded server is started by the product's own code (compiled in dist/), so the tests run
// it exactly as `npm start` does: as the `postgres` user when root, from binaries it can reach.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const TEMPLATE = `amsnet_template_${process.pid}`;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EMBEDDED_SERVER = join(ROOT, 'dist', 'src', 'platform', 'database', 'embedded', 'embedded-server.js');
const require = createRequire(import.meta.url);

/** The compiled embedded-server module; builds dist/ first when a bare `npx jest` runs on a fresh checkout. */
function embeddedServerModule() {
  try {
    return require(EMBEDDED_SERVER);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.js')], { stdio: 'inherit', cwd: ROOT });
    return require(EMBEDDED_SERVER);
  }
}

const quietLog = {
  debug() {},
  info() {},
  warn: (fields, message) => process.stderr.write(`[postgres] ${message} ${JSON.stringify(fields)}\n`),
  error: (fields, message) => process.stderr.write(`[postgres] ${message} ${JSON.stringify(fields)}\n`),
};

async function startEmbedded() {
  const { startEmbeddedServer } = embeddedServerModule();
  const dataDir = await mkdtemp(join(tmpdir(), 'amsnet-test-pg-'));
  await chmod(dataDir, 0o755); // lets the postgres user (when root) keep the cluster right here
  const { freePort } = require(join(ROOT, 'dist', 'src', 'platform', 'net', 'free-port.js'));
  const server = await startEmbeddedServer({
    dataDir,
    port: await freePort(),
    password: 'test',
    // Durability is irrelevant for throw-away test data; speed is not.
    initdbFlags: ['--no-sync'],
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 300 },
    log: quietLog,
  });
  globalThis.__AMSNET_PG__ = { server, dataDir };
  return server.url('postgres');
}

export default async function globalSetup() {
  let adminUrl;
  try {
    adminUrl = process.env.DATABASE_URL || (await startEmbedded());
  } catch (error) {
    if (error?.name !== 'UserError') throw error;
    // One clear line instead of a stack trace: why, and what to do.
    process.stderr.write(
      `\namsnet tests: ${error.message} (Or run the tests on another server: DATABASE_URL=postgres://… npm test.)\n`,
    );
    process.exit(1);
  }
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${TEMPLATE}`);
  await client.end();
  process.env.AMSNET_TEST_ADMIN_URL = adminUrl;
  process.env.AMSNET_TEST_TEMPLATE = TEMPLATE;
  globalThis.__AMSNET_TEMPLATE__ = { adminUrl, template: TEMPLATE };
}
