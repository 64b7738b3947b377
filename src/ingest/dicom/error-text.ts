import { isDatabaseError, safeErrorText } from '../../platform/safe-error';

/**
 * A readable text for anything thrown. dicom-parser throws strings and `{ exception, dataSet }`
 * objects, emscripten codecs throw numbers (C++ exception pointers): `String(error)` and
 * `error.message` would put "[object Object]" or "undefined" in the import report.
 */
export function errorText(error: unknown): string {
  // A database error by its structure only: its message and detail may quote the values sent.
  if (isDatabaseError(error)) return safeErrorText(error);
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  if (typeof error === 'number') return `native decoder error ${error}`;
  if (error && typeof error === 'object') {
    const inner =
      (error as { exception?: unknown; message?: unknown }).exception ?? (error as { message?: unknown }).message;
    if (inner !== undefined && inner !== error) return errorText(inner);
    try {
      return JSON.stringify(error).slice(0, 200);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}
