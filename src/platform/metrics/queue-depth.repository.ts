import type { DataSource } from 'typeorm';
import type { QueueDepthRow } from './metrics';

/**
 * Reads how many jobs wait or run in pg-boss's tables. The queue is shared by every process over
 * one database, so any process can report it. Before pg-boss has created its schema there is no
 * queue at all: that reads as no rows, not as an error.
 */
export async function readQueueDepth(dataSource: DataSource, schema = 'pgboss'): Promise<QueueDepthRow[]> {
  const [{ present }]: Array<{ present: boolean }> = await dataSource.query(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [`${schema}.job`],
  );
  if (!present) return [];
  const rows: Array<{ name: string; state: string; count: string }> = await dataSource.query(
    `SELECT name, state::text AS state, count(*)::text AS count
       FROM ${quoteIdent(schema)}.job
      WHERE state IN ('created', 'retry', 'active')
      GROUP BY name, state`,
  );
  return rows.map((r) => ({ queue: r.name, state: r.state, count: Number(r.count) }));
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name "${name}"`);
  return `"${name}"`;
}
