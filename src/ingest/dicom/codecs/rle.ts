import type { DecodedFrame, SampleArray } from '../decoded-frame';

export interface RleLayout {
  width: number;
  height: number;
  components: number;
  bitsAllocated: 8 | 16 | 32;
}

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, then 15 segment offsets),
 * then one PackBits segment per sample byte: for each component, its most significant byte first.
 * Each segment decodes to one byte per pixel, row by row.
 */
export function decodeRle(frame: Uint8Array, layout: RleLayout): DecodedFrame {
  const { width, height, components, bitsAllocated } = layout;
  const pixels = width * height;
  const bytesPerSample = bitsAllocated / 8;
  const expected = components * bytesPerSample;
  if (frame.length < 64) throw new Error(`RLE frame of ${frame.length} bytes has no complete header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== expected)
    throw new Error(
      `RLE frame has ${segments} segment(s), ${components} sample(s) of ${bitsAllocated} bits need ${expected}`,
    );
  const offsets = Array.from({ length: segments }, (_, i) => view.getUint32(4 + i * 4, true));
  const data: SampleArray =
    bitsAllocated === 8
      ? new Uint8Array(pixels * components)
      : bitsAllocated === 16
        ? new Uint16Array(pixels * components)
        : new Uint32Array(pixels * components);
  const bytes = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s];
    const end = s + 1 < segments ? offsets[s + 1] : frame.length;
    if (start < 64 || end > frame.length || end < start)
      throw new Error(`RLE segment ${s + 1} has offset ${start} outside the frame of ${frame.length} bytes`);
    unpackBits(frame, start, end, bytes, s + 1);
    const component = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample)); // most significant byte first
    for (let i = 0; i < pixels; i++) data[i * components + component] += bytes[i] * 2 ** shift;
  }
  return { data, width, height, components };
}

/** PackBits: n ≥ 0 copies n+1 bytes, −127 ≤ n ≤ −1 repeats the next byte 1−n times, −128 is padding. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array, segment: number): void {
  let i = start;
  let o = 0;
  while (o < out.length) {
    if (i >= end) throw new Error(`RLE segment ${segment} ends after ${o} of ${out.length} bytes (truncated?)`);
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      if (i + n + 1 > end) throw new Error(`RLE segment ${segment} ends inside a literal run (truncated?)`);
      out.set(src.subarray(i, i + Math.min(n + 1, out.length - o)), o);
      o += n + 1;
      i += n + 1;
    } else if (n !== -128) {
      if (i >= end) throw new Error(`RLE segment ${segment} ends inside a replicate run (truncated?)`);
      out.fill(src[i++], o, Math.min(out.length, o + 1 - n));
      o += 1 - n;
    }
  }
}
