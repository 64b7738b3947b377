import type { AppConfig } from '../config';

/**
 * Session settings of an API process's connections: a statement_timeout, so a runaway query (a
 * pathological filter, a lock wait) ends with an error instead of holding a pooled connection and
 * a request for ever. API_STATEMENT_TIMEOUT_MS, 30 s by default, 0 for none.
 */
export function apiSessionSettings(
  config: Pick<AppConfig, 'apiStatementTimeoutMs'>,
): Record<string, string> | undefined {
  return config.apiStatementTimeoutMs > 0 ? { statement_timeout: `${config.apiStatementTimeoutMs}ms` } : undefined;
}
