import { DataSource, type DataSourceOptions as TypeOrmOptions, type Logger as TypeOrmLogger } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** The application's tables: its entities and the migrations that create them (given by src/app). */
export interface DatabaseSchema {
  entities: NonNullable<TypeOrmOptions['entities']>;
  migrations: NonNullable<TypeOrmOptions['migrations']>;
}

export interface DataSourceOptions {
  url: string;
  schema: DatabaseSchema;
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
    entities: options.schema.entities,
    migrations: options.schema.migrations,
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
