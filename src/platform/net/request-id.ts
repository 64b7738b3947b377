import { randomUUID } from 'node:crypto';

/** What a client's X-Request-Id may be: a UUID or a proxy's id, 1–64 of A–Z a–z 0–9 . _ : - */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request id of one request: the client's (or its proxy's) X-Request-Id when it is a plain
 * token of at most 64 characters, else a new UUID. It lands in every audit event and log line of
 * the request, so anything else (long, spaces, control characters, markup, several headers) is
 * replaced, never trimmed into something the client chose.
 */
export function acceptedRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED.test(header) ? header : randomUUID();
}
