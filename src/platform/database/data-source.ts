import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { ENTITIES } from '../../entities';
import { MIGRATIONS } from '../../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceOptions {
  url: string;
  /** Pool size per process. */
  poolSize?: number;
  /** Called with every SQL statement; tests use it to count queries. */
  onQuery?: (sql: string) => void;
  applicationName?: string;
}

/** TypeORM over PostgreSQL; schema only through migrations (synchronize is off). */
export function createDataSource(options: DataSourceOptions): DataSource {
  const onQuery = options.onQuery;
  const logger: TypeOrmLogger | undefined = onQuery
    ? {
        logQuery: (sql) => onQuery(sql),
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      }
    : undefined;
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: onQuery ? ['query'] : false,
    logger,
    extra: { max: options.poolSize ?? 10, application_name: options.applicationName ?? 'amsnet' },
  });
}

/** True when every known migration has been applied. */
export async function migrationsApplied(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
