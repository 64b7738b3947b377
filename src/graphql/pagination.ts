import { BadInputError } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Opaque Relay cursors: base64url of "<kind>:<key>", so a cursor of one list is refused by another. */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string | null | undefined, keyPattern: RegExp): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : '';
  if (!keyPattern.test(key)) throw new BadInputError('"after" is not a cursor of this list');
  return key;
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new BadInputError(`"first" must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const BIGINT_KEY = /^[1-9][0-9]{0,17}$/;
