import type { FloatTensor } from './onnx/graph-builder';

/**
 * Reading and writing the `.safetensors` format (8-byte little-endian header length, a JSON
 * header naming dtype/shape/byte range per tensor, then the raw little-endian data).
 * Floating tensors are converted to float32 on read; other dtypes (e.g. PyTorch's int64
 * `num_batches_tracked`) are listed but carry no data, so callers can ignore them by name.
 */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface SafetensorsEntry {
  dtype: string;
  dims: number[];
  /** float32 values; null for dtypes that are not floating point. */
  data: Float32Array | null;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  U16: 2,
  U32: 4,
  U64: 8,
};

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half, round to nearest even. */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half; // a carry into the exponent is the correct rounding (up to Infinity)
}

function floatToBf16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40; // NaN stays NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function readSafetensors(bytes: Uint8Array): Map<string, SafetensorsEntry> {
  if (bytes.length < 8) throw new SafetensorsError('not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8)
    throw new SafetensorsError(`not a safetensors file: header length ${headerLength} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8'),
    ) as typeof header;
  } catch {
    throw new SafetensorsError('not a safetensors file: the header is not JSON');
  }
  const base = 8 + headerLength;
  const out = new Map<string, SafetensorsEntry>();
  for (const [key, info] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    const width = BYTES[info.dtype];
    if (width === undefined) throw new SafetensorsError(`tensor "${key}": unknown dtype ${info.dtype}`);
    if (end - begin !== count * width || base + end > bytes.length) {
      throw new SafetensorsError(
        `tensor "${key}": byte range ${begin}..${end} does not hold ${info.dtype} [${info.shape.join(',')}]`,
      );
    }
    const at = base + begin;
    let data: Float32Array | null = null;
    if (info.dtype === 'F32') {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, true);
    } else if (info.dtype === 'F16') {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(at + 2 * i, true));
    } else if (info.dtype === 'BF16') {
      data = new Float32Array(count);
      const bits = new Uint32Array(data.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(at + 2 * i, true) << 16;
    } else if (info.dtype === 'F64') {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(at + 8 * i, true);
    }
    out.set(key, { dtype: info.dtype, dims: [...info.shape], data });
  }
  return out;
}

/** Writes tensors in the given order, all in `dtype`. */
export function writeSafetensors(
  tensors: Map<string, FloatTensor>,
  dtype: SafetensorsDtype = 'F32',
  metadata?: Record<string, string>,
): Buffer {
  const width = BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [key, t] of tensors) {
    header[key] = { dtype, shape: t.dims, data_offsets: [offset, offset + t.data.length * width] };
    offset += t.data.length * width;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8); // keeps tensor data 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (const v of t.data) {
      if (dtype === 'F32') out.writeFloatLE(v, at);
      else if (dtype === 'F16') out.writeUInt16LE(floatToHalf(v), at);
      else out.writeUInt16LE(floatToBf16(v), at);
      at += width;
    }
  }
  return out;
}
