import { imageMaxMegapixels } from '../config';
import { readJpegHeader } from './jpeg-header';

/**
 * What amsnet-clinic lets a decoder allocate. A compressed image states its own size: a 100 kB PNG
 * can declare 10 000 × 10 000 pixels and make libvips allocate 100 MB (200 MB at 16 bits) per
 * decode. Every decode (import, GET /frames/:id.png, scoring, export) first reads the size from the
 * header and refuses an image above IMAGE_MAX_MEGAPIXELS; sharp is given the same limit, so libvips
 * refuses whatever the header walk could not read.
 */

/** An image whose stated size is above the limit; the message gives both. */
export class ImageTooLargeError extends Error {
  override name = 'ImageTooLargeError';
  constructor(
    readonly width: number,
    readonly height: number,
    readonly limitPixels: number,
  ) {
    super(
      `image is ${width}×${height} pixels (${megapixels(width * height)} megapixels), above the limit of ${megapixels(limitPixels)} megapixels (IMAGE_MAX_MEGAPIXELS)`,
    );
  }
}

/** Bytes that are neither JPEG nor PNG: no other decoder of libvips is exposed to them. */
export class UnsupportedImageError extends Error {
  override name = 'UnsupportedImageError';
}

export interface ImageHeader {
  format: 'jpeg' | 'png';
  width: number;
  height: number;
  /** bits per sample: 8 for JPEG, 1–16 for PNG */
  bitDepth: number;
  /** JPEG only: colour components (1 = gray) */
  components?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function megapixels(pixels: number): string {
  return (pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0);
}

export function maxImagePixels(): number {
  return imageMaxMegapixels() * 1_000_000;
}

/** Options for every sharp() that decodes outside input: libvips' own check, behind the header walk. */
export function decodeLimits(): { limitInputPixels: number } {
  return { limitInputPixels: maxImagePixels() };
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8));
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Size from the JPEG frame header or the PNG IHDR chunk, without decoding; null when unreadable. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  if (isPng(bytes)) {
    // IHDR is the first chunk: length (4), "IHDR" (4), width (4), height (4), bit depth (1)
    if (bytes.length < 25 || Buffer.from(bytes.buffer, bytes.byteOffset + 12, 4).toString('latin1') !== 'IHDR')
      return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, 25);
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    return width > 0 && height > 0 ? { format: 'png', width, height, bitDepth: bytes[24] } : null;
  }
  const jpeg = readJpegHeader(bytes);
  return jpeg
    ? { format: 'jpeg', width: jpeg.width, height: jpeg.height, bitDepth: 8, components: jpeg.components }
    : null;
}

export function assertPixelLimit(width: number, height: number): void {
  const limit = maxImagePixels();
  if (width * height > limit) throw new ImageTooLargeError(width, height, limit);
}

/**
 * Admits encoded bytes to a decoder: JPEG or PNG only, within the pixel limit when the header
 * states a size. Returns the header, or null for a JPEG/PNG whose header cannot be read (the
 * decoder, holding decodeLimits(), then reports what is wrong with it).
 */
export function admitEncodedImage(bytes: Uint8Array): ImageHeader | null {
  if (!isPng(bytes) && !isJpeg(bytes)) throw new UnsupportedImageError('not a JPEG or PNG image');
  const header = readImageHeader(bytes);
  if (header) assertPixelLimit(header.width, header.height);
  return header;
}
