import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../../src/app/database';
import { createServices, type AppServices } from '../../src/app/services';
import type { DataStore } from '../../src/entities/repositories';

export interface TestDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  /** The application's services over this database, wired as the composition root wires them. */
  services: AppServices;
  store: DataStore;
  /** Closes the services' queue client and the connection, and drops the database. */
  destroy(): Promise<void>;
}

const LOCK_KEY = 7_246_001; // any constant: serialises template migration and cloning

function urlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function harness(): { adminUrl: string; template: string } {
  const adminUrl = process.env.AMSNET_TEST_ADMIN_URL;
  const template = process.env.AMSNET_TEST_TEMPLATE;
  if (!adminUrl || !template)
    throw new Error('test database harness not started: run the tests through jest (globalSetup)');
  return { adminUrl, template };
}

/** Migrates the template once per test run (the first caller does it, under a lock). */
async function ensureTemplateMigrated(adminUrl: string, template: string): Promise<void> {
  const ds = createAppDataSource({ url: urlFor(adminUrl, template), poolSize: 1 });
  await ds.initialize();
  try {
    if (await ds.showMigrations()) await ds.runMigrations({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

/** Creates an empty, migrated database of its own for one test file: clone of the template. */
export async function createTestDatabase(
  options: { onQuery?: (sql: string) => void; poolSize?: number } = {},
): Promise<TestDatabase> {
  const { adminUrl, template } = harness();
  const name = `${template}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await ensureTemplateMigrated(adminUrl, template);
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    await admin.end();
  }
  const url = urlFor(adminUrl, name);
  const dataSource = createAppDataSource({ url, onQuery: options.onQuery, poolSize: options.poolSize ?? 5 });
  await dataSource.initialize();
  const services = createServices({ dataSource, databaseUrl: url });
  return {
    url,
    name,
    dataSource,
    services,
    store: services.store,
    async destroy() {
      await services.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await dropDatabase(name);
    },
  };
}

/** A fresh, empty database that is NOT migrated (for migration tests). */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; destroy(): Promise<void> }> {
  const { adminUrl, template } = harness();
  const name = `${template}_empty_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return { url: urlFor(adminUrl, name), name, destroy: () => dropDatabase(name) };
}

async function dropDatabase(name: string): Promise<void> {
  const { adminUrl } = harness();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
