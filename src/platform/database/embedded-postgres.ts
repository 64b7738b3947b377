import pg from 'pg';
import type { Logger } from '../logger';
import { EmbeddedPostgresError, startEmbeddedServer } from './embedded/embedded-server';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'amsnet-embedded';

/**
 * Starts the PostgreSQL that ships with the project, with its data kept between runs under
 * `dataDir` (see embedded/cluster-location.ts for where it goes when running as root), and makes
 * sure the `amsnet` database exists. Fails with a one-line EmbeddedPostgresError.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const server = await startEmbeddedServer({ dataDir, port, password: PASSWORD, log });
  try {
    await createDatabaseIfMissing(server.url('postgres'), 'amsnet');
  } catch (error) {
    await server.stop();
    throw new EmbeddedPostgresError(
      `the server started but creating the amsnet database failed (${(error as Error).message})`,
    );
  }
  return { url: server.url('amsnet'), stop: () => server.stop() };
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {}); // a connection lost here surfaces as the failed query
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
