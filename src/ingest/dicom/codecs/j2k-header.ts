/** Size, components and precision from a JPEG 2000 / HTJ2K code stream's SIZ segment. */
export interface J2kHeader {
  width: number;
  height: number;
  components: number;
  /** Bits per sample of the first component. */
  precision: number;
}

/**
 * Reads the SIZ marker segment (ISO 15444-1 A.5.1) of a code stream, or of the contiguous code
 * stream box of a JP2 file, without decoding anything: the importer compares the size with the
 * DICOM header before the decoder allocates memory for the pixels. Null when there is none.
 */
export function readJ2kHeader(bytes: Uint8Array): J2kHeader | null {
  const start = codestreamStart(bytes);
  if (start < 0 || start + 42 > bytes.length) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.length - start);
  if (view.getUint16(0) !== 0xff4f || view.getUint16(2) !== 0xff51) return null;
  const width = view.getUint32(8) - view.getUint32(16);
  const height = view.getUint32(12) - view.getUint32(20);
  const components = view.getUint16(40);
  if (start + 43 > bytes.length) return null;
  return { width, height, components, precision: (view.getUint8(42) & 0x7f) + 1 };
}

/** Offset of SOC: 0 for a bare code stream, else inside the JP2 file's 'jp2c' box. */
function codestreamStart(bytes: Uint8Array): number {
  if (bytes[0] === 0xff && bytes[1] === 0x4f) return 0;
  let at = 0;
  while (at + 8 <= bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    let length = view.getUint32(0);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) return -1;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 8, 8).getBigUint64(0));
      header = 16;
    }
    if (type === 'jp2c') return at + header;
    if (length < header) return -1; // 0 = to the end of the file, and no code stream box seen
    at += length;
  }
  return -1;
}
