const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; checking the shape first turns a typo into "not found" instead of a SQL cast error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
