import type { DataSource } from 'typeorm';
import type { PoolStats } from './metrics';

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The pg pool behind a TypeORM DataSource (its postgres driver keeps it as `master`). */
export function databasePoolStats(dataSource: DataSource): PoolStats | undefined {
  if (!dataSource.isInitialized) return undefined;
  const pool = (dataSource.driver as unknown as { master?: PgPoolLike }).master;
  if (!pool || typeof pool.totalCount !== 'number') return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
