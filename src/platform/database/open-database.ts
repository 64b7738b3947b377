import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { canTamperWithAuditLog, grantApplicationRole, roleOfUrl } from './application-role';
import { createDataSource, type DatabaseSchema } from './data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';

export interface OpenDatabase {
  /** The application's connection pool (DATABASE_URL's role). */
  dataSource: DataSource;
  /** The application's URL (the job queue connects with it too). */
  url: string;
  /**
   * Runs `work` over a connection of the schema's owner (migrations), then gives the application's
   * role its rights on whatever the work changed. `settings` are session settings of that connection.
   */
  asOwner<T>(work: (owner: DataSource) => Promise<T>, settings?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/** The two connections: the owner migrates, the application reads and writes rows. */
export interface DatabaseRoles {
  url: string;
  ownerUrl: string;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset. With `migrate`,
 * applies pending migrations (each in its own transaction) as the owner before returning.
 */
export async function openDatabase(
  config: AppConfig,
  log: Logger,
  options: {
    schema: DatabaseSchema;
    migrate?: boolean;
    poolSize?: number;
    applicationName?: string;
    /** Session settings of the application's connections (e.g. statement_timeout). */
    settings?: Record<string, string>;
    /** Warn when the application's role could change the audit log (long-running processes). */
    warnWhenPrivileged?: boolean;
  },
): Promise<OpenDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let roles: DatabaseRoles;
  if (config.databaseUrl) {
    roles = { url: config.databaseUrl, ownerUrl: config.databaseOwnerUrl ?? config.databaseUrl };
  } else {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, log);
    roles = { url: embedded.url, ownerUrl: embedded.ownerUrl };
  }
  const asOwner = ownerConnection(roles, options.schema, log);
  const dataSource = createDataSource({
    url: roles.url,
    schema: options.schema,
    poolSize: options.poolSize ?? config.databasePoolSize,
    applicationName: options.applicationName,
    settings: options.settings,
  });
  try {
    if (options.migrate) {
      await asOwner(async (owner) => {
        const applied = await owner.runMigrations({ transaction: 'each' });
        for (const m of applied) log.info({ migration: m.name }, 'migration applied');
      });
    }
    await dataSource.initialize();
    if (options.warnWhenPrivileged && (await canTamperWithAuditLog(dataSource))) {
      log.warn(
        'the application connects as a role that owns the audit log (one role for migrations and the application): set DATABASE_OWNER_URL for migrations and give DATABASE_URL a role of its own (README, "Database roles")',
      );
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url: roles.url,
    asOwner,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

function ownerConnection(roles: DatabaseRoles, schema: DatabaseSchema, log: Logger): OpenDatabase['asOwner'] {
  const appRole = roleOfUrl(roles.url);
  const separate = roles.ownerUrl !== roles.url && appRole !== undefined && appRole !== roleOfUrl(roles.ownerUrl);
  return async (work, settings) => {
    const owner = createDataSource({
      url: roles.ownerUrl,
      schema,
      poolSize: 1,
      applicationName: 'amsnet-migrate',
      settings,
    });
    await owner.initialize();
    try {
      const result = await work(owner);
      if (separate) await grantApplicationRole(owner, appRole, log);
      return result;
    } finally {
      await owner.destroy();
    }
  };
}
