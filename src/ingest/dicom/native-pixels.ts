import { interleave, type DecodedFrame, type SampleArray } from './decoded-frame';
import type { PixelModule } from './pixel-module';
import { PixelDataError } from './pixel-data-error';

/** Bits one native frame takes; YBR_FULL_422 stores Y1 Y2 Cb Cr for each pair of pixels. */
export function nativeFrameBits(m: PixelModule): number {
  const samples = m.photometric === 'YBR_FULL_422' ? 2 : m.samplesPerPixel;
  return m.rows * m.columns * samples * m.bitsAllocated;
}

/**
 * Checks that uncompressed pixel data holds every frame. 1-bit frames follow each other bit by bit;
 * all others start on a byte boundary.
 */
export function checkNativeLength(available: number, m: PixelModule): void {
  const needed = Math.ceil((nativeFrameBits(m) * m.frames) / 8);
  if (available < needed) {
    throw new PixelDataError(
      `pixel data holds ${available} bytes but ${m.frames} frame(s) of ${m.columns}×${m.rows} need ${needed} (file truncated?)`,
    );
  }
}

/**
 * Frame `index` of uncompressed pixel data as interleaved samples. `pixelData` is the whole Pixel
 * Data value; big-endian values are swapped, planar colour interleaved, YBR_FULL_422 expanded to
 * one Y Cb Cr triple per pixel.
 */
export function nativeFrame(pixelData: Uint8Array, index: number, m: PixelModule, bigEndian: boolean): DecodedFrame {
  const pixels = m.rows * m.columns;
  const frameBits = nativeFrameBits(m);
  let data: SampleArray;
  if (m.bitsAllocated === 1) {
    data = unpackBits(pixelData, index * frameBits, pixels);
  } else {
    const start = (index * frameBits) / 8;
    // A copy: aligned for typed-array views, swappable, and independent of the file buffer.
    const bytes = Buffer.from(pixelData.subarray(start, start + frameBits / 8));
    if (bigEndian && m.bitsAllocated === 16) bytes.swap16();
    if (bigEndian && m.bitsAllocated === 32) bytes.swap32();
    const { buffer, byteOffset, byteLength } = bytes;
    const aligned = byteOffset % 4 === 0 ? buffer : buffer.slice(byteOffset, byteOffset + byteLength);
    const offset = aligned === buffer ? byteOffset : 0;
    data =
      m.bitsAllocated === 8
        ? new Uint8Array(aligned, offset, byteLength)
        : m.bitsAllocated === 16
          ? new Uint16Array(aligned, offset, byteLength / 2)
          : new Uint32Array(aligned, offset, byteLength / 4);
  }
  if (m.photometric === 'YBR_FULL_422') data = expandYbr422(data as Uint8Array, pixels);
  else if (m.samplesPerPixel === 3 && m.planarConfiguration === 1) data = interleave(data, pixels, 3);
  return { data, width: m.columns, height: m.rows, components: m.samplesPerPixel };
}

/** Bit-packed pixels, first pixel in the lowest bit of the first byte (PS3.5 8.1.1). */
function unpackBits(bytes: Uint8Array, firstBit: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}

/** Y1 Y2 Cb Cr per pixel pair → Y Cb Cr per pixel. */
function expandYbr422(packed: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let pair = 0; pair < pixels / 2; pair++) {
    const [y1, y2, cb, cr] = [packed[pair * 4], packed[pair * 4 + 1], packed[pair * 4 + 2], packed[pair * 4 + 3]];
    out.set([y1, cb, cr, y2, cb, cr], pair * 6);
  }
  return out;
}
