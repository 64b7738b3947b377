/** Size, component count, sample precision and process (SOF marker) from a JPEG's start-of-frame segment. */
export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  /** Bits per sample: 8 or 12 for DCT processes, 2–16 for lossless and JPEG-LS. */
  precision: number;
  /** The start-of-frame marker's second byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, 0xF7 JPEG-LS, … */
  sof: number;
}

// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), and JPEG-LS's SOF55 (F7): the markers that carry the frame header.
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);

/**
 * Reads the frame header of a JPEG by walking its marker segments; null when the bytes are not a
 * JPEG or the header is missing. Only the segment lengths are read, so this costs microseconds —
 * the import uses it to choose its path without asking libvips for the metadata of every frame
 * (which costs a fifth of a full decode). The decode that follows still validates the whole file.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame header
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) return null;
    if (SOF_MARKERS.has(marker)) {
      if (i + 10 > bytes.length) return null;
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      const components = bytes[i + 9];
      return width > 0 && height > 0 ? { width, height, components, precision: bytes[i + 4], sof: marker } : null;
    }
    i += 2 + length;
  }
  return null;
}
