import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { createDataSource, type DatabaseSchema } from './data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';

export interface OpenDatabase {
  dataSource: DataSource;
  url: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset. With `migrate`,
 * applies pending migrations (each in its own transaction) before returning.
 */
export async function openDatabase(
  config: AppConfig,
  log: Logger,
  options: { schema: DatabaseSchema; migrate?: boolean; poolSize?: number; applicationName?: string },
): Promise<OpenDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, log);
    url = embedded.url;
  }
  const dataSource = createDataSource({
    url,
    schema: options.schema,
    poolSize: options.poolSize,
    applicationName: options.applicationName,
  });
  try {
    await dataSource.initialize();
    if (options.migrate) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) log.info({ migration: m.name }, 'migration applied');
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
