import {
  createJPEGBasicOffsetTable, readEncapsulatedImageFrame, readEncapsulatedPixelDataFromFragments, type DataSet, type Element,
} from 'dicom-parser';
import { normaliseEncodedFrame, normaliseRawFrame, type NormalisedFrame } from '../frames/frame-normaliser';
import { ImageTooLargeError, maxImagePixels } from '../../platform/images/image-limits';
import { JPEG_BASELINE, TAG } from './dicom-dictionary';

/** The image pixel module of an instance, validated. */
export interface PixelModule {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422';
  planarConfiguration: 0 | 1;
}

/** A file whose pixels cannot be imported; the message says why. */
export class PixelDataError extends Error {}

export function readPixelModule(ds: DataSet, transferSyntax: string): PixelModule {
  const rows = ds.uint16(TAG.rows) ?? 0;
  const columns = ds.uint16(TAG.columns) ?? 0;
  const frames = ds.intString(TAG.numberOfFrames) ?? 1;
  const samplesPerPixel = ds.uint16(TAG.samplesPerPixel) ?? 1;
  const bitsAllocated = ds.uint16(TAG.bitsAllocated) ?? 0;
  const bitsStored = ds.uint16(TAG.bitsStored) ?? bitsAllocated;
  const photometric = (ds.string(TAG.photometricInterpretation) ?? '').trim();
  if (!rows || !columns) throw new PixelDataError('Rows or Columns missing');
  // before any buffer of that size exists: a compressed frame can state far more than its file holds
  if (rows * columns > maxImagePixels()) throw new PixelDataError(new ImageTooLargeError(columns, rows, maxImagePixels()).message);
  if (!(frames >= 1)) throw new PixelDataError(`NumberOfFrames "${ds.string(TAG.numberOfFrames)}" is not a positive number`);
  if ((ds.uint16(TAG.pixelRepresentation) ?? 0) !== 0) throw new PixelDataError('signed pixel data (PixelRepresentation 1) is not supported');
  const allowed = transferSyntax === JPEG_BASELINE ? ['MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422'] : ['MONOCHROME1', 'MONOCHROME2', 'RGB'];
  if (!allowed.includes(photometric)) throw new PixelDataError(`PhotometricInterpretation ${photometric || '(none)'} is not supported`);
  const expectedSamples = photometric.startsWith('MONOCHROME') ? 1 : 3;
  if (samplesPerPixel !== expectedSamples) throw new PixelDataError(`SamplesPerPixel ${samplesPerPixel} does not match ${photometric}`);
  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw new PixelDataError(`BitsAllocated ${bitsAllocated} is not supported (8 or 16)`);
  if (samplesPerPixel === 3 && bitsAllocated !== 8) throw new PixelDataError('colour images must have 8 bits per sample');
  return {
    rows, columns, frames, samplesPerPixel: expectedSamples as 1 | 3, bitsAllocated, bitsStored: Math.min(bitsStored || bitsAllocated, bitsAllocated),
    photometric: photometric as PixelModule['photometric'], planarConfiguration: ds.uint16(TAG.planarConfiguration) === 1 ? 1 : 0,
  };
}

/** Returns a loader per frame; checks up front that the pixel data holds every frame. */
export function frameLoaders(ds: DataSet, pixels: PixelModule, transferSyntax: string): (() => Promise<NormalisedFrame>)[] {
  const element = ds.elements[TAG.pixelData];
  if (!element) throw new PixelDataError('no Pixel Data (7FE0,0010)');
  if (transferSyntax === JPEG_BASELINE) return encapsulatedLoaders(ds, element, pixels);
  const frameBytes = pixels.rows * pixels.columns * pixels.samplesPerPixel * (pixels.bitsAllocated / 8);
  const needed = frameBytes * pixels.frames;
  const available = Math.min(element.length, ds.byteArray.length - element.dataOffset);
  if (available < needed) {
    throw new PixelDataError(`pixel data holds ${available} bytes but ${pixels.frames} frame(s) of ${pixels.columns}×${pixels.rows} need ${needed} (file truncated?)`);
  }
  return Array.from({ length: pixels.frames }, (_, i) => async () => {
    const start = element.dataOffset + i * frameBytes;
    return nativeFrame(Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + start, frameBytes), pixels);
  });
}

function encapsulatedLoaders(ds: DataSet, element: Element, pixels: PixelModule): (() => Promise<NormalisedFrame>)[] {
  if (!element.encapsulatedPixelData || !element.fragments?.length) throw new PixelDataError('JPEG pixel data has no fragments');
  if (pixels.frames === 1) {
    return [async () => normaliseEncodedFrame(Buffer.from(readEncapsulatedPixelDataFromFragments(ds, element, 0, element.fragments!.length)))];
  }
  const table = element.basicOffsetTable?.length ? element.basicOffsetTable : createJPEGBasicOffsetTable(ds, element);
  if (table.length < pixels.frames) throw new PixelDataError(`pixel data holds ${table.length} JPEG frames, NumberOfFrames says ${pixels.frames}`);
  return Array.from({ length: pixels.frames }, (_, i) => async () =>
    normaliseEncodedFrame(Buffer.from(readEncapsulatedImageFrame(ds, element, i, table))));
}

/** Uncompressed pixels → normalised frame: MONOCHROME1 inverted, RGB planes interleaved, 12-bit scaled to 16. */
async function nativeFrame(bytes: Buffer, p: PixelModule): Promise<NormalisedFrame> {
  const count = p.rows * p.columns;
  if (p.bitsAllocated === 16) {
    const values = new Uint16Array(count);
    const mask = (1 << p.bitsStored) - 1;
    const shift = 16 - p.bitsStored; // so /65535 in the scorer means the same for 12- and 16-bit data
    for (let i = 0; i < count; i++) {
      let v = bytes.readUInt16LE(i * 2) & mask;
      if (p.photometric === 'MONOCHROME1') v = mask - v;
      values[i] = shift ? (v << shift) | (v >> (p.bitsStored - shift)) : v;
    }
    return normaliseRawFrame(values, p.columns, p.rows, 1);
  }
  if (p.samplesPerPixel === 3) {
    const rgb = new Uint8Array(count * 3);
    if (p.planarConfiguration === 1) {
      for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = bytes[c * count + i];
    } else {
      rgb.set(bytes);
    }
    return normaliseRawFrame(rgb, p.columns, p.rows, 3);
  }
  const gray = new Uint8Array(bytes); // copy: the file buffer is released after parsing
  if (p.photometric === 'MONOCHROME1') for (let i = 0; i < count; i++) gray[i] = 255 - gray[i];
  return normaliseRawFrame(gray, p.columns, p.rows, 1);
}
