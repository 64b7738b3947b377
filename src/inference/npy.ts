/**
 * NumPy `.npy` files (format 1.0–3.0) holding little-endian float32 arrays in C order: what
 * `np.save(path, x.astype(np.float32))` writes. Other dtypes and Fortran order are refused with a
 * message that says how to convert.
 */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export function readNpy(bytes: Uint8Array): NpyArray {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC))
    throw new NpyError('not a NumPy .npy file (no \\x93NUMPY magic)');
  const major = b[6];
  if (major < 1 || major > 3) throw new NpyError(`.npy format version ${major} is not supported`);
  const headerLength = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.subarray(start, start + headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new NpyError(`.npy header is not understood: ${header.trim()}`);
  if (descr !== '<f4' && descr !== '|f4')
    throw new NpyError(`the array has dtype ${descr}; expected float32 ('<f4'): save it with x.astype(np.float32)`);
  if (fortran === 'True') throw new NpyError('the array is in Fortran order; save it with np.ascontiguousarray(x)');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, c) => a * c, 1);
  const dataStart = start + headerLength;
  if (b.length - dataStart !== count * 4)
    throw new NpyError(
      `the file holds ${b.length - dataStart} data bytes; shape (${shape.join(', ')}) of float32 needs ${count * 4}`,
    );
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(b.subarray(dataStart)); // copy: the data need not be 4-byte aligned in memory
  return { shape, data };
}

export function writeNpy(array: NpyArray): Buffer {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'; // data starts 64-byte aligned, as NumPy writes it
  const out = Buffer.alloc(10 + header.length + array.data.byteLength);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength).copy(out, 10 + header.length);
  return out;
}
