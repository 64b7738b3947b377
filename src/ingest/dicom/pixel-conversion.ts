import type { SampleArray } from './decoded-frame';
import type { Photometric, PixelModule } from './pixel-module';

/** Pixels ready for the frame normaliser: gray or RGB, 8-bit or 16-bit, interleaved. */
export interface DisplayImage {
  pixels: Uint8Array | Uint16Array;
  channels: 1 | 3;
}

/**
 * Stored samples → display pixels, by rules that keep every value and its order:
 *
 * - Signed samples are shifted to unsigned (v + 2^(BitsStored−1)); MONOCHROME1 is inverted.
 * - BitsStored ≤ 8 gives 8-bit pixels, 9–16 gives 16-bit pixels widened by bit replication
 *   (12-bit v → v<<4 | v>>8), so 1.0 means full scale whatever the source depth; more than 16 bits
 *   are narrowed to their top 16.
 * - Colour becomes RGB: YBR_FULL / YBR_FULL_422 through the full-range BT.601 equations of PS3.3
 *   C.7.6.3.1.2, PALETTE COLOR through its tables (8- or 16-bit RGB as the tables are).
 *
 * `photometric` is that of the samples as decoded: lossy JPEG and JPEG 2000 decoders hand over
 * RGB for YBR data themselves.
 */
export function toDisplay(samples: SampleArray, m: PixelModule, photometric: Photometric): DisplayImage {
  if (photometric === 'PALETTE COLOR') return paletteToRgb(samples, m);
  const bits = m.bitsStored;
  const shift = m.highBit + 1 - bits;
  if (photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2') {
    const invert = photometric === 'MONOCHROME1';
    return {
      pixels:
        bits <= 16
          ? throughTable(samples, shift, storedToDisplay(bits, m.signed, invert))
          : narrow(samples, shift, bits, m.signed, invert),
      channels: 1,
    };
  }
  const table = storedToDisplay(bits, false, false);
  if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422')
    return { pixels: ybrToRgb(samples, shift, bits, table), channels: 3 };
  return { pixels: throughTable(samples, shift, table), channels: 3 };
}

/** A table from every stored value (BitsStored ≤ 16) to its display value. */
function storedToDisplay(bits: number, signed: boolean, invert: boolean): Uint8Array | Uint16Array {
  const size = 2 ** bits;
  const depth = bits <= 8 ? 8 : 16;
  const table = depth === 8 ? new Uint8Array(size) : new Uint16Array(size);
  for (let u = 0; u < size; u++) {
    let v = signed ? u ^ (size >> 1) : u;
    if (invert) v = size - 1 - v;
    table[u] = widen(v, bits, depth);
  }
  return table;
}

/** Repeats the bit pattern to fill `depth` bits: 0 stays 0 and full scale stays full scale. */
function widen(v: number, bits: number, depth: number): number {
  let out = 0;
  for (let s = depth - bits; s > -bits; s -= bits) out |= s >= 0 ? v << s : v >> -s;
  return out;
}

function throughTable(samples: SampleArray, shift: number, table: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
  const mask = table.length - 1;
  const out = new (table.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[(samples[i] >> shift) & mask];
  return out;
}

/** 17–32 stored bits: the top 16 of the unsigned value. */
function narrow(samples: SampleArray, shift: number, bits: number, signed: boolean, invert: boolean): Uint16Array {
  const out = new Uint16Array(samples.length);
  const max = 2 ** bits - 1;
  const half = 2 ** (bits - 1);
  const drop = 2 ** (bits - 16);
  for (let i = 0; i < samples.length; i++) {
    let u = (samples[i] >>> shift) % (max + 1);
    if (signed) u = u >= half ? u - half : u + half;
    if (invert) u = max - u;
    out[i] = Math.floor(u / drop);
  }
  return out;
}

function ybrToRgb(
  samples: SampleArray,
  shift: number,
  bits: number,
  table: Uint8Array | Uint16Array,
): Uint8Array | Uint16Array {
  const max = 2 ** bits - 1;
  const mid = 2 ** (bits - 1);
  const out = new (table.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(samples.length);
  const clamp = (v: number) => table[Math.min(max, Math.max(0, Math.round(v)))];
  for (let i = 0; i < samples.length; i += 3) {
    const y = (samples[i] >> shift) & max;
    const cb = ((samples[i + 1] >> shift) & max) - mid;
    const cr = ((samples[i + 2] >> shift) & max) - mid;
    out[i] = clamp(y + 1.402 * cr);
    out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}

function paletteToRgb(samples: SampleArray, m: PixelModule): DisplayImage {
  const lut = m.palette!;
  const entries = lut.red.length;
  const bits = m.bitsStored;
  const shift = m.highBit + 1 - bits;
  const mask = 2 ** bits - 1;
  const half = 2 ** (bits - 1);
  const out = lut.bits === 8 ? new Uint8Array(samples.length * 3) : new Uint16Array(samples.length * 3);
  for (let i = 0; i < samples.length; i++) {
    let v = (samples[i] >> shift) & mask;
    if (m.signed && v >= half) v -= 2 * half;
    const index = Math.min(entries - 1, Math.max(0, v - lut.firstMapped));
    out[i * 3] = lut.red[index];
    out[i * 3 + 1] = lut.green[index];
    out[i * 3 + 2] = lut.blue[index];
  }
  return { pixels: out, channels: 3 };
}
