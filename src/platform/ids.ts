import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; checking the shape first turns a typo into "not found" instead of a SQL cast error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A UUID derived from a name (RFC 4122 layout, version 5 style over SHA-256). Two processes that
 * create "the same thing" (a clinic's cron tick, batch i of a run) derive the same id, and the
 * database keeps one.
 */
export function deterministicUuid(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
