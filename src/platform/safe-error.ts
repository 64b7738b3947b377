import { stdSerializers } from 'pino';

/**
 * Database errors carry what was sent: TypeORM's QueryFailedError keeps the statement's
 * `parameters` (MRNs, names, hashes), PostgreSQL's `detail` repeats key values ("Key (mrn)=(…)"),
 * and some messages quote the offending value ('invalid input syntax for type uuid: "…"'). None of
 * that may reach a stored reason (import_run_item.reason, scoring_run.error/details) or a log line.
 * These helpers describe such an error by its structure only: SQLSTATE, constraint, table, column.
 */

interface DatabaseErrorLike {
  code: string;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
  query?: string;
  parameters?: unknown[];
  driverError?: unknown;
}

/** SQLSTATE classes (first two characters) in words. */
const SQLSTATE_CLASSES: Record<string, string> = {
  '08': 'connection problem',
  '22': 'invalid data',
  '23': 'constraint violation',
  '25': 'transaction state',
  '28': 'authorisation',
  '40': 'transaction rolled back (serialisation failure or deadlock)',
  '42': 'statement refused (syntax or permission)',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention (query cancelled or server shutting down)',
  '58': 'system error',
  P0: 'raised by a database function',
  XX: 'internal error',
};

/** A PostgreSQL error (pg's DatabaseError) or TypeORM's wrapper of one. */
export function isDatabaseError(error: unknown): error is Error & DatabaseErrorLike {
  if (!(error instanceof Error)) return false;
  const e = error as Error & Partial<DatabaseErrorLike> & { severity?: unknown };
  return (
    typeof e.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(e.code) &&
    (e.name === 'QueryFailedError' || typeof e.severity === 'string' || 'driverError' in e)
  );
}

function describeDatabaseError(error: DatabaseErrorLike): string {
  const what = SQLSTATE_CLASSES[error.code.slice(0, 2)] ?? 'database error';
  const where = [
    error.constraint && `constraint ${error.constraint}`,
    error.table && `table ${error.table}`,
    error.column && `column ${error.column}`,
  ].filter(Boolean);
  return `database error ${error.code} (${what}${where.length ? `, ${where.join(', ')}` : ''})`;
}

/**
 * A reason fit to store and show: a database error by its structure, any other error by the first
 * line of its message (our own errors' messages are written for people), at most 300 characters.
 */
export function safeErrorText(error: unknown): string {
  if (isDatabaseError(error)) return describeDatabaseError(error);
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (isDatabaseError(cause)) return describeDatabaseError(cause);
  const message = error instanceof Error ? error.message || error.name : String(error);
  const line = message.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * pino's `err` serializer: pino's own for ordinary errors; for database errors the structure, the
 * statement's SQL (placeholders, no values) and how many parameters it had, never their values,
 * the `detail` or the message (which may quote a value).
 */
export function serializeError(error: unknown): unknown {
  const db = isDatabaseError(error)
    ? error
    : isDatabaseError((error as { cause?: unknown } | null)?.cause)
      ? ((error as { cause: Error & DatabaseErrorLike }).cause as Error & DatabaseErrorLike)
      : undefined;
  if (!db) return error instanceof Error ? stdSerializers.err(error) : error;
  return {
    type: db.name,
    message: describeDatabaseError(db),
    code: db.code,
    constraint: db.constraint,
    table: db.table,
    column: db.column,
    routine: db.routine,
    query: typeof db.query === 'string' ? db.query.slice(0, 2000) : undefined,
    parameters: Array.isArray(db.parameters) ? `[${db.parameters.length} redacted]` : undefined,
    stack: db.stack?.split('\n').slice(1, 8).join('\n'),
  };
}
