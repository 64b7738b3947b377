import pg from 'pg';
import type { Logger } from '../logger';
import { LEGACY_SUPERUSER_PASSWORD, loadOrCreateCredentials, type EmbeddedCredentials } from './embedded/credentials';
import { EmbeddedPostgresError, startEmbeddedServer, type EmbeddedServer } from './embedded/embedded-server';

export interface EmbeddedDatabase {
  /** The application's URL: role `amsnet_app`, which may not change the audit log. */
  url: string;
  /** The owner's URL (the cluster's superuser): migrations and administration. */
  ownerUrl: string;
  stop(): Promise<void>;
}

/** The role the application connects as. */
export const EMBEDDED_APP_ROLE = 'amsnet_app';
const DATABASE = 'amsnet';

/**
 * Starts the PostgreSQL that ships with the project, with its data kept between runs under
 * `dataDir` (see embedded/cluster-location.ts for where it goes when running as root), and makes
 * sure the `amsnet` database and the application's role exist. The passwords are random, kept in
 * DATA_DIR/postgres-credentials.json (mode 600); a data folder made before that, with the old
 * fixed superuser password, gets new passwords on its first start. Fails with a one-line
 * EmbeddedPostgresError.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const credentials = loadOrCreateCredentials(dataDir);
  const server = await startEmbeddedServer({ dataDir, port, password: credentials.superuser, log });
  try {
    await upgradeLegacyPassword(server, credentials, log);
    await withClient(server.url('postgres'), async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
      await ensureAppRole(client, credentials.app);
    });
    await withClient(server.url(DATABASE), (client) => giveQueueSchemaToApp(client));
  } catch (error) {
    await server.stop();
    if (error instanceof EmbeddedPostgresError) throw error;
    throw new EmbeddedPostgresError(
      `the server started but preparing the amsnet database failed (${(error as Error).message})`,
    );
  }
  const appUrl = `postgres://${EMBEDDED_APP_ROLE}:${encodeURIComponent(credentials.app)}@127.0.0.1:${server.port}/${DATABASE}`;
  return { url: appUrl, ownerUrl: server.url(DATABASE), stop: () => server.stop() };
}

/** A cluster created with the old fixed password gets the one from the credentials file. */
async function upgradeLegacyPassword(server: EmbeddedServer, credentials: EmbeddedCredentials, log: Logger) {
  const signsIn = async (url: string) =>
    withClient(url, async () => true).catch((error: { code?: string }) => {
      if (error.code === '28P01') return false; // password authentication failed
      throw error;
    });
  if (await signsIn(server.url('postgres'))) return;
  const legacy = server
    .url('postgres')
    .replace(`:${encodeURIComponent(credentials.superuser)}@`, `:${encodeURIComponent(LEGACY_SUPERUSER_PASSWORD)}@`);
  if (!(await signsIn(legacy))) {
    throw new EmbeddedPostgresError(
      'the superuser password in DATA_DIR/postgres-credentials.json does not match the database',
      'Restore that file from a backup of the data folder.',
    );
  }
  await withClient(legacy, (client) =>
    client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(credentials.superuser)}`),
  );
  log.warn('embedded PostgreSQL: replaced the fixed superuser password by the generated one in DATA_DIR');
}

async function ensureAppRole(client: pg.Client, password: string): Promise<void> {
  const role = client.escapeIdentifier(EMBEDDED_APP_ROLE);
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [EMBEDDED_APP_ROLE]);
  if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
  // Every start: the file is the truth (and a role found without rights beyond login stays so).
  await client.query(
    `ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
  );
}

/**
 * The job queue's schema belongs to the application's role (pg-boss creates and attaches a table
 * per queue). A data folder whose queue was created by the superuser hands it over, object by object.
 */
async function giveQueueSchemaToApp(client: pg.Client): Promise<void> {
  const role = client.escapeIdentifier(EMBEDDED_APP_ROLE);
  const schema = await client.query<{ owner: string }>(
    `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'pgboss'`,
  );
  if (schema.rowCount === 0) {
    await client.query(`CREATE SCHEMA pgboss AUTHORIZATION ${role}`);
    return;
  }
  if (schema.rows[0].owner === EMBEDDED_APP_ROLE) return;
  await client.query(`
    DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT c.oid::regclass AS obj FROM pg_class c
                WHERE c.relnamespace = 'pgboss'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO ${role}', r.obj);
      END LOOP;
      FOR r IN SELECT c.oid::regclass AS obj FROM pg_class c
                WHERE c.relnamespace = 'pgboss'::regnamespace AND c.relkind = 'S'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO ${role}', r.obj);
      END LOOP;
      FOR r IN SELECT p.oid::regprocedure AS obj FROM pg_proc p WHERE p.pronamespace = 'pgboss'::regnamespace LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO ${role}', r.obj);
      END LOOP;
      FOR r IN SELECT t.oid::regtype AS obj FROM pg_type t
                WHERE t.typnamespace = 'pgboss'::regnamespace AND t.typtype IN ('e', 'd', 'r') LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO ${role}', r.obj);
      END LOOP;
      ALTER SCHEMA pgboss OWNER TO ${role};
    END $$`);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a connection lost here surfaces as the failed query
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
