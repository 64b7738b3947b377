import { UserError } from '../platform/errors';

/** A referenced record does not exist (or is not the caller's to see); the API answers NOT_FOUND. */
export class RecordNotFound extends UserError {
  override name = 'RecordNotFound';
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

/** Postgres unique_violation (23505) of a named constraint, for mapping races to clear messages. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.driverError?.code ?? e?.code;
  const name = e?.driverError?.constraint ?? e?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}
