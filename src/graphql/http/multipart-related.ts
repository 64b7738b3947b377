/** One body part of a multipart message: its headers (lower-case names) and bytes. */
export interface BodyPart {
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

/** The parameters of a Content-Type header: `multipart/related; type="application/dicom"; boundary=x`. */
export function mediaType(header: string | undefined): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = (header ?? '').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const at = param.indexOf('=');
    if (at < 0) continue;
    const name = param.slice(0, at).trim().toLowerCase();
    let value = param.slice(at + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    params[name] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Splits a multipart body (RFC 2046) into its parts, without copying the part bodies. Refuses a
 * body without the closing delimiter (a truncated upload) and stops at `maxParts + 1` parts, so the
 * caller can answer "too many instances" without parsing the rest.
 */
export function splitMultipart(body: Buffer, boundary: string, maxParts: number): BodyPart[] {
  if (!/^[ -~]{1,70}$/.test(boundary)) throw new MultipartError('the multipart boundary is missing or invalid');
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MultipartError('no multipart boundary found in the body');
  const parts: BodyPart[] = [];
  for (;;) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) return parts; // closing delimiter "--"
    // transport padding, then CRLF
    while (body[start] === 0x20 || body[start] === 0x09) start++;
    if (!body.subarray(start, start + 2).equals(CRLF)) throw new MultipartError('malformed multipart delimiter line');
    start += 2;
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), start);
    if (next < 0) throw new MultipartError('the multipart body is truncated (no closing boundary)');
    const partBytes = body.subarray(start, next);
    const headerEnd = partBytes.indexOf(HEADER_END);
    let headers: Record<string, string> = {};
    let partBody: Buffer;
    if (partBytes.subarray(0, 2).equals(CRLF)) {
      partBody = partBytes.subarray(2); // no headers
    } else if (headerEnd < 0) {
      throw new MultipartError(`part ${parts.length + 1} has no end of headers`);
    } else {
      headers = parseHeaders(partBytes.subarray(0, headerEnd).toString('latin1'));
      partBody = partBytes.subarray(headerEnd + 4);
    }
    parts.push({ headers, body: partBody });
    if (parts.length > maxParts) return parts;
    at = next + 2;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
