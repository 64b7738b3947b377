import { rm } from 'node:fs/promises';
import pg from 'pg';

export default async function globalTeardown() {
  const info = globalThis.__AMSNET_TEMPLATE__;
  if (info && process.env.DATABASE_URL) {
    // On a given server, leave nothing behind: the template and any clone a crashed file left.
    const client = new pg.Client({ connectionString: info.adminUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${info.template}%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await client.end();
  }
  const embedded = globalThis.__AMSNET_PG__;
  if (embedded) {
    await embedded.server.stop();
    // The cluster may live outside the temporary data folder (relocated for the postgres user).
    await rm(embedded.server.clusterDir, { recursive: true, force: true });
    await rm(embedded.dataDir, { recursive: true, force: true });
  }
}
