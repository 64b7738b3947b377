import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { NotPermitted, RecordNotFound } from '../clinic-data/errors';
import { UserError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { ErrorCode } from './errors';

/** Codes whose messages are written for the caller (ours, and Apollo's request/validation errors). */
const SAFE_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

function validationMessage(error: ArgumentValidationError): string {
  const messages: string[] = [];
  const walk = (errors: ArgumentValidationError['extensions']['validationErrors'], prefix: string) => {
    for (const e of errors) {
      const path = prefix ? `${prefix}.${e.property}` : e.property;
      for (const m of Object.values(e.constraints ?? {})) messages.push(`${path}: ${m}`);
      if (e.children?.length) walk(e.children, path);
    }
  };
  walk(error.extensions.validationErrors, '');
  return `invalid input: ${messages.join('; ')}`;
}

/**
 * graphql-js reports a variable it cannot coerce (unknown enum value, wrong type, missing) as a
 * GraphQLError without a path whose message starts with the variable's name; Apollo passes it on
 * without a code of its own. The message names only what the caller sent, so it is safe to return.
 */
function isVariableCoercionError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && !error.path && /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" /.test(error.message);
}

/**
 * Every error leaves the API with a stable `extensions.code`. Messages are passed on only for
 * errors meant for the caller; anything unexpected (a database error, a bug) is logged with its
 * stack and answered as INTERNAL_SERVER_ERROR "internal error": no SQL, no stack, no internals.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof ArgumentValidationError) {
      return { ...base, message: validationMessage(original), extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (original instanceof RecordNotFound)
      return { ...base, message: original.message, extensions: { code: ErrorCode.NOT_FOUND } };
    if (original instanceof NotPermitted)
      return { ...base, message: original.message, extensions: { code: ErrorCode.FORBIDDEN } };
    if (original instanceof UserError)
      return { ...base, message: original.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    if (isVariableCoercionError(original))
      return { ...base, message: original.message, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    const code = formatted.extensions?.code;
    const isOwnGraphQLError = original instanceof GraphQLError || original === undefined || original === null;
    if (typeof code === 'string' && SAFE_CODES.has(code) && isOwnGraphQLError) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL request');
    return { ...base, message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
