import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { backgroundDecodes } from '../../platform/images/decode-slots';
import {
  ImageTooLargeError,
  admitEncodedImage,
  assertPixelLimit,
  decodeLimits,
} from '../../platform/images/image-limits';

/**
 * Frame normalisation, done once at import (DESIGN.md §4–§5): grayscale, banner cropped, original
 * resolution kept (the scorer resizes). Rules:
 *
 * - Banner: EmbryoScope exports sometimes put a text banner *above* the square well image, so the
 *   frame is taller than wide (e.g. 500×530). Such a frame keeps its bottom width×width square.
 * - Storage format: an 8-bit single-channel JPEG that needs no crop keeps its original bytes
 *   (mime image/jpeg). Re-encoding would cost more CPU than the decode itself and could only lose
 *   information; the source bytes are exactly what the incubator wrote. It is still fully decoded
 *   once, so a truncated or corrupt file is refused instead of stored.
 * - Everything else (banner crop, colour JPEG, DICOM pixel data) becomes a lossless PNG: 8-bit gray,
 *   or 16-bit gray when the source has more than 8 bits (mime image/png).
 * - Content address: sha256 of the stored bytes.
 * - Size: JPEG or PNG only, up to IMAGE_MAX_MEGAPIXELS (checked from the header before decoding), at
 *   most backgroundDecodes.size decodes at once.
 */
export interface NormalisedFrame {
  sha256: string;
  bytes: Buffer;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  bannerCropped: boolean;
}

/** A frame that cannot be decoded; the message names the problem for the import report. */
export class UnreadableFrameError extends Error {
  override name = 'UnreadableFrameError';
}

// Level 4 with adaptive filtering: a fraction of the default's CPU for a few % larger files.
const PNG_OPTIONS = { compressionLevel: 4 } as const;

/**
 * Refuse truncated images (the common real failure) with libvips' own message; tolerate recoverable
 * decoder warnings such as "extraneous bytes before marker", which real incubator JPEGs carry.
 */
const DECODE_OPTIONS = { failOn: 'truncated' } as const;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A whole JPEG (or JPEG 2000 code stream) ends with the EOI marker FF D9 (some writers pad a few bytes after it). */
export function hasJpegEndMarker(bytes: Uint8Array): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 64));
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}

/** The square to keep of a width×height frame: bottom square when a banner sits above. */
function bannerCrop(
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number } | null {
  return height > width ? { left: 0, top: height - width, width, height: width } : null;
}

/** Normalises an encoded image (JPEG from an export or a DICOM JPEG-baseline frame, PNG). */
export function normaliseEncodedFrame(encoded: Buffer): Promise<NormalisedFrame> {
  return backgroundDecodes.run(() => normaliseEncoded(encoded));
}

/** Runs a size or format check; its refusal becomes the frame's reason in the import report. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ImageTooLargeError) throw new UnreadableFrameError(error.message);
    throw new UnreadableFrameError(`not a readable image: ${(error as Error).message}`);
  }
}

async function normaliseEncoded(encoded: Buffer): Promise<NormalisedFrame> {
  // The common case — an 8-bit gray JPEG without a banner — is recognised from its header alone
  // and kept byte for byte after one full decode that proves it whole.
  const header = checked(() => admitEncodedImage(encoded));
  if (header?.format === 'jpeg' && header.components === 1 && header.height <= header.width)
    return keepGrayJpeg(encoded, header.width, header.height);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(encoded, decodeLimits()).metadata();
  } catch (error) {
    throw new UnreadableFrameError(`not a readable image: ${(error as Error).message}`);
  }
  const { width, height, format, channels } = meta;
  if (!width || !height) throw new UnreadableFrameError('image has no size');
  checked(() => assertPixelLimit(width, height));
  const crop = bannerCrop(width, height);
  const sixteenBit = meta.depth === 'ushort';
  // Checked by structure, not only by the decoder: libvips' message for a truncated file is not
  // reliable when several decodes fail at once ("Unknown error"), and the reason must be clear.
  if (format === 'jpeg' && !hasJpegEndMarker(encoded)) {
    throw new UnreadableFrameError('unreadable jpeg: premature end of JPEG file (truncated: no end-of-image marker)');
  }
  if (format === 'jpeg' && channels === 1 && !crop) return keepGrayJpeg(encoded, width, height);
  try {
    let pipeline = sharp(encoded, { ...DECODE_OPTIONS, ...decodeLimits() });
    if (crop) pipeline = pipeline.extract(crop);
    const bytes = await pipeline
      .toColourspace(sixteenBit ? 'grey16' : 'b-w')
      .png(PNG_OPTIONS)
      .toBuffer();
    const size = crop ?? { width, height };
    return {
      sha256: sha256(bytes),
      bytes,
      mime: 'image/png',
      width: size.width,
      height: size.height,
      bannerCropped: !!crop,
    };
  } catch (error) {
    throw new UnreadableFrameError(`unreadable ${format ?? 'image'}: ${(error as Error).message}`);
  }
}

/** Keeps an 8-bit gray JPEG as it is, after decoding it fully (b-w: no expansion to sRGB) to prove it whole. */
async function keepGrayJpeg(encoded: Buffer, width: number, height: number): Promise<NormalisedFrame> {
  if (!hasJpegEndMarker(encoded)) {
    throw new UnreadableFrameError('unreadable jpeg: premature end of JPEG file (truncated: no end-of-image marker)');
  }
  try {
    await sharp(encoded, { ...DECODE_OPTIONS, ...decodeLimits() })
      .toColourspace('b-w')
      .raw()
      .toBuffer();
  } catch (error) {
    throw new UnreadableFrameError(`unreadable jpeg: ${(error as Error).message}`);
  }
  return { sha256: sha256(encoded), bytes: encoded, mime: 'image/jpeg', width, height, bannerCropped: false };
}

/** Normalises decoded pixels (uncompressed DICOM): 1 channel gray or 3 channel interleaved RGB. */
export function normaliseRawFrame(
  pixels: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Promise<NormalisedFrame> {
  return backgroundDecodes.run(() => normaliseRaw(pixels, width, height, channels));
}

async function normaliseRaw(
  pixels: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Promise<NormalisedFrame> {
  checked(() => assertPixelLimit(width, height));
  const sixteenBit = pixels instanceof Uint16Array;
  const crop = bannerCrop(width, height);
  try {
    let pipeline = sharp(pixels, { raw: { width, height, channels }, ...decodeLimits() });
    if (crop) pipeline = pipeline.extract(crop);
    const bytes = await pipeline
      .toColourspace(sixteenBit ? 'grey16' : 'b-w')
      .png(PNG_OPTIONS)
      .toBuffer();
    const size = crop ?? { width, height };
    return {
      sha256: sha256(bytes),
      bytes,
      mime: 'image/png',
      width: size.width,
      height: size.height,
      bannerCropped: !!crop,
    };
  } catch (error) {
    throw new UnreadableFrameError(`pixel data cannot be encoded: ${(error as Error).message}`);
  }
}
