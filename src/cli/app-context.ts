import type { DataSource } from 'typeorm';
import { loadConfig, type AppConfig } from '../platform/config';
import { openDatabase, type OpenDatabase } from '../platform/database/open-database';
import { createLogger, type Logger } from '../platform/logger';

export interface AppContext {
  config: AppConfig;
  log: Logger;
  db: OpenDatabase;
  dataSource: DataSource;
}

/** Config, logger and database for one CLI command; closes the database when `fn` settles. */
export async function withApp<T>(
  fn: (app: AppContext) => Promise<T>,
  options: { migrate?: boolean; logLevel?: AppConfig['logLevel'] } = {},
): Promise<T> {
  const config = loadConfig();
  // One-shot commands print their results; their logs only matter at warn and above.
  const log = createLogger(options.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel));
  const db = await openDatabase(config, log, { migrate: options.migrate ?? true, poolSize: 4, applicationName: 'amsnet-cli' });
  try {
    return await fn({ config, log, db, dataSource: db.dataSource });
  } finally {
    await db.close();
  }
}
