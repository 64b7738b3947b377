import { GraphQLError } from 'graphql';

/**
 * The stable `extensions.code` values of the API. Clients branch on these, never on messages.
 * NOT_FOUND is also what a record of another clinic looks like: the message never says which.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** Signed in with a temporary password: only `changePassword` (and `me`) until it is replaced. */
  PASSWORD_CHANGE_REQUIRED: 'PASSWORD_CHANGE_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UnauthenticatedError extends GraphQLError {
  /** `httpStatus`: set when thrown before execution (bad token), so the HTTP answer is 401. */
  constructor(message = 'authentication required', httpStatus?: number) {
    super(message, {
      extensions: { code: ErrorCode.UNAUTHENTICATED, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
    });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'your role in this clinic does not allow this') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

/** Same text for a missing id and an id of a clinic the caller cannot see. */
export class NotFoundError extends GraphQLError {
  constructor(entity: string) {
    super(`${entity} not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class BadInputError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
}

export class TooManyRequestsError extends GraphQLError {
  constructor(retryAfterSeconds: number) {
    super(`too many failed sign-ins; try again in ${retryAfterSeconds} s`, {
      extensions: { code: ErrorCode.TOO_MANY_REQUESTS, retryAfterSeconds },
    });
  }
}

export class PasswordChangeRequiredError extends GraphQLError {
  constructor() {
    super('choose a new password first (changePassword): this one was temporary', {
      extensions: { code: ErrorCode.PASSWORD_CHANGE_REQUIRED, http: { status: 403 } },
    });
  }
}
