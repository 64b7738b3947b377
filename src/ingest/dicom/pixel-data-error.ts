/** An instance whose pixels cannot be imported; the message says why, for the import report. */
export class PixelDataError extends Error {
  override name = 'PixelDataError';
}
