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
  /** Session settings of every connection (`-c name=value` at connect), e.g. statement_timeout. */
  settings?: Record<string, string>;
}

/** libpq's `options` parameter for session settings; spaces and backslashes escaped as libpq reads them. */
export function sessionOptions(settings: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(settings ?? {});
  if (entries.length === 0) return undefined;
  const escape = (v: string) => v.replace(/[\\ ]/g, (c) => `\\${c}`);
  return entries.map(([name, value]) => `-c ${name}=${escape(value)}`).join(' ');
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
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'amsnet',
      ...(options.settings ? { options: sessionOptions(options.settings) } : {}),
    },
  });
}

/** True when every known migration has been applied. */
export async function migrationsApplied(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
