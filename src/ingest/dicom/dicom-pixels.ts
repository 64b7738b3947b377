import type { DataSet } from 'dicom-parser';
import sharp from 'sharp';
import {
  hasJpegEndMarker,
  normaliseEncodedFrame,
  normaliseRawFrame,
  UnreadableFrameError,
  type NormalisedFrame,
} from '../frames/frame-normaliser';
import { readJpegHeader } from '../../platform/images/jpeg-header';
import { readJ2kHeader } from './codecs/j2k-header';
import { decodeJpegDct } from './codecs/jpeg-dct';
import { decodeJpegLossless } from './codecs/jpeg-lossless';
import { decodeRle } from './codecs/rle';
import { checkShape, decodeHtj2k, decodeJpeg2000, decodeJpegLs, type FrameShape } from './codecs/wasm-decoders';
import type { DecodedFrame } from './decoded-frame';
import { TAG, type PixelEncoding, type TransferSyntax } from './dicom-dictionary';
import { encapsulatedFrames } from './encapsulated-frames';
import { errorText } from './error-text';
import { checkNativeLength, nativeFrame } from './native-pixels';
import { toDisplay, type DisplayImage } from './pixel-conversion';
import { PixelDataError } from './pixel-data-error';
import { readPixelModule, type Photometric, type PixelModule } from './pixel-module';

export type FrameLoader = () => Promise<NormalisedFrame>;

/** A decoded frame: display pixels (see pixel-conversion.ts), or an 8-bit JPEG the normaliser takes as it is. */
export type DisplayFrame = (DisplayImage & { width: number; height: number }) | { jpeg: Buffer };
export type FrameDecoder = () => Promise<DisplayFrame>;

const CODEC_NAMES: Record<PixelEncoding, string> = {
  native: 'uncompressed',
  rle: 'RLE',
  jpeg: 'JPEG',
  'jpeg-lossless': 'JPEG lossless',
  'jpeg-ls': 'JPEG-LS',
  jpeg2000: 'JPEG 2000',
  htj2k: 'HTJ2K',
};

/** One loader per frame: decodes and normalises it when called (see frameDecoders). */
export function frameLoaders(ds: DataSet, syntax: DecodableSyntax): FrameLoader[] {
  return frameDecoders(ds, syntax).map((decode) =>
    withReadableErrors(syntax.encoding, async () => {
      const frame = await decode();
      return 'jpeg' in frame
        ? normaliseEncodedFrame(frame.jpeg)
        : normaliseRawFrame(frame.pixels, frame.width, frame.height, frame.channels);
    }),
  );
}

export type DecodableSyntax = TransferSyntax & { encoding: PixelEncoding };

/**
 * One decoder per frame, after checking up front what can be checked without decoding: the pixel
 * module, the size of uncompressed data, the frames of compressed data. A decoder throws
 * UnreadableFrameError with a readable reason.
 */
export function frameDecoders(ds: DataSet, syntax: DecodableSyntax): FrameDecoder[] {
  const { encoding } = syntax;
  const m = readPixelModule(ds, encoding, syntax.name);
  const element = ds.elements[TAG.pixelData];
  if (!element) throw new PixelDataError('no Pixel Data (7FE0,0010)');
  if (encoding === 'native') {
    if (element.encapsulatedPixelData)
      throw new PixelDataError(`pixel data is compressed (encapsulated), which ${syntax.name} does not allow`);
    const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
    checkNativeLength(available, m);
    let pixelData = ds.byteArray.subarray(element.dataOffset, element.dataOffset + available);
    // big endian OW holds 16-bit words: 8- and 1-bit pixels written as OW come byte-swapped in pairs
    if (syntax.bigEndian && element.vr === 'OW' && m.bitsAllocated <= 8)
      pixelData = Buffer.from(pixelData.subarray(0, available & ~1)).swap16();
    return Array.from({ length: m.frames }, (_, i) =>
      withReadableErrors(encoding, async () =>
        display(nativeFrame(pixelData, i, m, !!syntax.bigEndian), m, m.photometric),
      ),
    );
  }
  if (!element.encapsulatedPixelData) throw new PixelDataError(`${syntax.name} pixel data is not encapsulated`);
  return encapsulatedFrames(ds, element, m.frames, encoding).map((bytesOf) =>
    withReadableErrors(encoding, () => decodeCompressed(bytesOf(), m, encoding)),
  );
}

function withReadableErrors<T>(encoding: PixelEncoding, load: () => Promise<T>): () => Promise<T> {
  return async () => {
    try {
      return await load();
    } catch (error) {
      if (error instanceof UnreadableFrameError) throw error;
      if (error instanceof PixelDataError) throw new UnreadableFrameError(error.message);
      throw new UnreadableFrameError(`${CODEC_NAMES[encoding]} frame cannot be decoded: ${errorText(error)}`);
    }
  };
}

async function decodeCompressed(bytes: Uint8Array, m: PixelModule, encoding: PixelEncoding): Promise<DisplayFrame> {
  const shape: FrameShape = { width: m.columns, height: m.rows, components: m.samplesPerPixel };
  if (encoding === 'rle') {
    return display(decodeRle(bytes, { ...shape, bitsAllocated: m.bitsAllocated as 8 | 16 | 32 }), m, m.photometric);
  }
  // Every JPEG-family and JPEG 2000 code stream ends with FF D9 (EOI / EOC); the decoders below
  // return a partial image from a truncated one without complaint.
  if (!hasJpegEndMarker(bytes))
    throw new PixelDataError(`${CODEC_NAMES[encoding]} frame is truncated (no end-of-image marker)`);
  if (encoding === 'jpeg2000' || encoding === 'htj2k') {
    const header = readJ2kHeader(bytes);
    if (!header)
      throw new PixelDataError(`frame is not a ${CODEC_NAMES[encoding]} code stream (no SIZ marker segment)`);
    checkShape(CODEC_NAMES[encoding], header, shape);
    const frame = encoding === 'jpeg2000' ? await decodeJpeg2000(bytes, shape) : await decodeHtj2k(bytes, shape);
    clampToPrecision(frame, header.precision);
    // the decoders undo the reversible / irreversible colour transform themselves
    const decoded: Photometric = m.photometric === 'YBR_RCT' || m.photometric === 'YBR_ICT' ? 'RGB' : m.photometric;
    return display(frame, m, decoded);
  }
  return decodeJpegFamily(bytes, m, shape);
}

/** JPEG, JPEG lossless and JPEG-LS, told apart by the code stream's start-of-frame marker. */
async function decodeJpegFamily(bytes: Uint8Array, m: PixelModule, shape: FrameShape): Promise<DisplayFrame> {
  const header = readJpegHeader(bytes);
  if (!header) throw new PixelDataError('frame is not a JPEG code stream (no start-of-image or frame header)');
  checkShape('JPEG', header, shape);
  if (header.sof === 0xf7) return display(await decodeJpegLs(bytes, shape), m, m.photometric);
  if (header.sof === 0xc3) return display(decodeJpegLossless(bytes), m, m.photometric);
  // Lossy JPEG decoders turn YCbCr into RGB themselves.
  const decoded: Photometric = m.samplesPerPixel === 3 ? 'RGB' : m.photometric;
  if (header.precision > 8) {
    if (header.sof !== 0xc0 && header.sof !== 0xc1)
      throw new PixelDataError(
        `${header.precision}-bit JPEG of process SOF${header.sof - 0xc0} is not supported (only sequential 12-bit)`,
      );
    return display(decodeJpegDct(bytes), m, decoded);
  }
  // 8-bit: libvips. A plain gray or colour frame goes through the normaliser as it is (an 8-bit
  // gray JPEG is stored byte for byte); inverted or signed data is decoded and converted first.
  if (m.photometric !== 'MONOCHROME1' && !m.signed) return { jpeg: Buffer.from(bytes) };
  const gray =
    m.samplesPerPixel === 1
      ? sharp(bytes, { failOn: 'truncated' }).toColourspace('b-w')
      : sharp(bytes, { failOn: 'truncated' });
  const { data, info } = await gray.raw().toBuffer({ resolveWithObject: true });
  return display(
    { data: new Uint8Array(data), width: info.width, height: info.height, components: info.channels, bitsPerSample: 8 },
    m,
    decoded,
  );
}

/**
 * Lossy wavelet decoders may overshoot the code stream's sample range by a little, which a
 * narrower-than-16-bit sample in a 16-bit container shows as a value past the top or, below zero,
 * as a wrapped one (65535): clamp instead of letting the masking of native data turn −1 into full
 * scale. (Not for the other codecs: they are exact, and lossless JPEG may carry sign-extended
 * values wider than BitsStored, which masking reads right.)
 */
function clampToPrecision(frame: DecodedFrame, bits: number): void {
  const { data } = frame;
  const signed = data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array;
  const containerBits = data.BYTES_PER_ELEMENT * 8;
  if (bits >= containerBits) return;
  const [low, high] = signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
  const wrapped = 2 ** (containerBits - 1); // unsigned container: values this high were negative
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > high) data[i] = !signed && v >= wrapped ? low : high;
    else if (v < low) data[i] = low;
  }
}

/**
 * Decoded samples → display pixels. A compressed stream's own precision wins when it is smaller
 * than BitsStored (an 8-bit stream in a 12-bit header would otherwise look almost black).
 */
function display(frame: DecodedFrame, m: PixelModule, photometric: Photometric): DisplayFrame {
  let module = m;
  if (frame.bitsPerSample !== undefined) {
    if (frame.bitsPerSample > m.bitsAllocated)
      throw new PixelDataError(
        `code stream holds ${frame.bitsPerSample}-bit samples but BitsAllocated is ${m.bitsAllocated}`,
      );
    const bits = Math.min(m.bitsStored, frame.bitsPerSample);
    module = { ...m, bitsStored: bits, highBit: bits - 1 };
  }
  return { ...toDisplay(frame.data, module, photometric), width: frame.width, height: frame.height };
}
