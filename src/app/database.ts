import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from '../entities';
import type { AppConfig } from '../platform/config';
import { createDataSource, type DatabaseSchema, type DataSourceOptions } from '../platform/database/data-source';
import { openDatabase, type OpenDatabase } from '../platform/database/open-database';
import type { Logger } from '../platform/logger';

/** amsnet-clinic's tables: every entity and the migrations that create them. */
export const APP_SCHEMA: DatabaseSchema = { entities: ENTITIES, migrations: MIGRATIONS };

/** A DataSource over amsnet-clinic's schema (not yet initialised). */
export function createAppDataSource(options: Omit<DataSourceOptions, 'schema'>) {
  return createDataSource({ ...options, schema: APP_SCHEMA });
}

/** DATABASE_URL or the embedded PostgreSQL, with amsnet-clinic's schema (migrated when asked). */
export function openAppDatabase(
  config: AppConfig,
  log: Logger,
  options: {
    migrate?: boolean;
    poolSize?: number;
    applicationName?: string;
    settings?: Record<string, string>;
    warnWhenPrivileged?: boolean;
  } = {},
): Promise<OpenDatabase> {
  return openDatabase(config, log, { ...options, schema: APP_SCHEMA });
}
