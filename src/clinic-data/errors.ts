import { UserError } from '../platform/errors';

/** A referenced record does not exist (or is not the caller's to see); the API answers NOT_FOUND. */
export class RecordNotFound extends UserError {
  override name = 'RecordNotFound';
  constructor(readonly entity: string) {
    super(`${entity} not found`);
  }
}

/** The caller may see the record but its rights do not reach this change; the API answers FORBIDDEN. */
export class NotPermitted extends UserError {
  override name = 'NotPermitted';
}
