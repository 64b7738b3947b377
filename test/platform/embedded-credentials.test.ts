import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openAppDatabase } from '../../src/app/database';
import { loadConfig } from '../../src/platform/config';
import { CREDENTIALS_FILE, LEGACY_SUPERUSER_PASSWORD } from '../../src/platform/database/embedded/credentials';
import { startEmbeddedServer } from '../../src/platform/database/embedded/embedded-server';
import { EMBEDDED_APP_ROLE } from '../../src/platform/database/embedded-postgres';
import { freePort } from '../helpers/cli';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function signsIn(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded database: random passwords kept in DATA_DIR (mode 600) instead of a fixed one, an
 * application role that cannot change the audit log, and a data folder made with the old fixed
 * password upgraded in place on its first start.
 */
describe('embedded PostgreSQL credentials and roles', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'amsnet-pg-creds-'));
    await chmod(dataDir, 0o755); // lets the postgres user (when root) keep the cluster right here
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('upgrades a data folder made with the fixed password, and keeps its data and job queue', async () => {
    // A data folder as earlier versions left it: superuser password "amsnet-embedded", a job queue
    // schema owned by the superuser.
    const legacy = await startEmbeddedServer({
      dataDir,
      port: await freePort(),
      password: LEGACY_SUPERUSER_PASSWORD,
      initdbFlags: ['--no-sync'],
      log: quiet,
    });
    try {
      const client = new Client({ connectionString: legacy.url('postgres') });
      await client.connect();
      await client.query('CREATE DATABASE amsnet');
      await client.end();
      const amsnet = new Client({ connectionString: legacy.url('amsnet') });
      await amsnet.connect();
      await amsnet.query(`CREATE SCHEMA pgboss; CREATE TYPE pgboss.job_state AS ENUM ('created');
        CREATE TABLE pgboss.job (id serial PRIMARY KEY, state pgboss.job_state); INSERT INTO pgboss.job (state) VALUES ('created');
        CREATE FUNCTION pgboss.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
      await amsnet.end();
    } finally {
      await legacy.stop();
    }

    const port = await freePort();
    const config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
    const db = await openAppDatabase(config, quiet as never, { migrate: true, poolSize: 1 });
    try {
      const file = join(dataDir, CREDENTIALS_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const credentials = JSON.parse(await readFile(file, 'utf8')) as { superuser: string; app: string };
      expect(credentials.superuser).not.toBe(LEGACY_SUPERUSER_PASSWORD);
      expect(credentials.superuser.length).toBeGreaterThanOrEqual(24);

      expect(new URL(db.url).username).toBe(EMBEDDED_APP_ROLE);
      expect(decodeURIComponent(new URL(db.url).password)).toBe(credentials.app);
      expect(await signsIn(`postgres://postgres:${LEGACY_SUPERUSER_PASSWORD}@127.0.0.1:${port}/amsnet`)).toBe(false);
      expect(
        await signsIn(`postgres://postgres:${encodeURIComponent(credentials.superuser)}@127.0.0.1:${port}/amsnet`),
      ).toBe(true);

      await db.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
      await expect(db.dataSource.query(`UPDATE audit_event SET action = 'X'`)).rejects.toThrow(/permission denied/);
      await expect(db.dataSource.query(`DROP TABLE audit_event`)).rejects.toThrow(/must be owner/);
      // The queue made by the superuser now belongs to the application's role, rows and all.
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job`)).toEqual([{ n: 1 }]);
      await db.dataSource.query(`INSERT INTO pgboss.job (state) VALUES ('created')`);
      expect(await db.dataSource.query(`SELECT pgboss.f() AS one`)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }

    // The next start signs in with the same file and changes nothing.
    const before = await readFile(join(dataDir, CREDENTIALS_FILE), 'utf8');
    const again = await openAppDatabase(
      loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) }),
      quiet as never,
      { poolSize: 1 },
    );
    try {
      expect(await again.dataSource.query(`SELECT count(*)::int AS n FROM audit_event`)).toEqual([{ n: 1 }]);
    } finally {
      await again.close();
    }
    expect(await readFile(join(dataDir, CREDENTIALS_FILE), 'utf8')).toBe(before);
  }, 180_000);
});
