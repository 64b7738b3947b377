import sharp from 'sharp';
import { backgroundDecodes } from '../platform/images/decode-slots';
import { admitEncodedImage, decodeLimits, readImageHeader } from '../platform/images/image-limits';

/**
 * Frame pixels → model input (DESIGN.md §5): decode (8- or 16-bit), grayscale, resize to a
 * ⌊S·256/224⌋ square, centre-crop S×S, scale to [0,1] float32 (/255, 16-bit /65535). The
 * normalisation (−0.449, /0.226) happens inside the graph, not here.
 */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/** Side of the square the frame is resized to before the centre crop: 256 for S = 224. */
export function resizeSideFor(inputSize: number): number {
  return Math.floor((inputSize * 256) / 224);
}

/**
 * Bits per sample, from the PNG header (byte 24 of IHDR); JPEG frames are 8-bit. Read from the
 * bytes rather than through sharp's metadata() to spare one decode round trip per frame.
 */
export function bitDepthOf(bytes: Uint8Array): 8 | 16 {
  const header = readImageHeader(bytes);
  return header?.format === 'png' && header.bitDepth === 16 ? 16 : 8;
}

/**
 * Writes one preprocessed S×S plane into `target` at `offset` (so a whole [B,T,F,S,S] batch is
 * filled without intermediate copies). libvips decodes and resizes on the libuv thread pool, so
 * calls in flight run in parallel with inference; at most backgroundDecodes.size decode at once,
 * and an image that is no JPEG/PNG or larger than IMAGE_MAX_MEGAPIXELS is refused unread.
 */
export async function preprocessInto(
  bytes: Uint8Array,
  inputSize: number,
  target: Float32Array,
  offset: number,
): Promise<void> {
  const side = resizeSideFor(inputSize);
  const margin = Math.floor((side - inputSize) / 2);
  const sixteen = bitDepthOf(bytes) === 16;
  let raw: Buffer;
  try {
    admitEncodedImage(bytes);
    const pipeline = sharp(bytes, { failOn: 'error', ...decodeLimits() })
      .resize(side, side, { fit: 'fill', kernel: 'linear' })
      .extract({ left: margin, top: margin, width: inputSize, height: inputSize });
    // grayscale() would take 16-bit frames through an 8-bit b-w interpretation; grey16 keeps them.
    raw = await backgroundDecodes.run(() =>
      sixteen
        ? pipeline.toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer()
        : pipeline.grayscale().raw().toBuffer(),
    );
  } catch (error) {
    throw new ImageDecodeError(`cannot decode frame image: ${(error as Error).message}`);
  }
  const pixels = inputSize * inputSize;
  if (sixteen) {
    if (raw.length !== pixels * 2) throw new ImageDecodeError(`decoded ${raw.length} bytes, expected ${pixels * 2}`);
    const values = new Uint16Array(raw.buffer, raw.byteOffset, pixels);
    for (let i = 0; i < pixels; i++) target[offset + i] = values[i] / 65535;
  } else {
    if (raw.length !== pixels) throw new ImageDecodeError(`decoded ${raw.length} bytes, expected ${pixels}`);
    for (let i = 0; i < pixels; i++) target[offset + i] = raw[i] / 255;
  }
}

/** One preprocessed S×S plane as its own array. */
export async function preprocessFrame(bytes: Uint8Array, inputSize: number): Promise<Float32Array> {
  const out = new Float32Array(inputSize * inputSize);
  await preprocessInto(bytes, inputSize, out, 0);
  return out;
}
