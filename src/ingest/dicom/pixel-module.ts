import type { DataSet } from 'dicom-parser';
import { maxImagePixels } from '../../platform/images/image-limits';
import { TAG, type PixelEncoding } from './dicom-dictionary';
import { readPaletteLut, type PaletteLut } from './palette-lut';
import { PixelDataError } from './pixel-data-error';

export type Photometric =
  'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | 'YBR_RCT' | 'YBR_ICT' | 'PALETTE COLOR';

/**
 * Decode memory bound per frame: 25 megapixels (a 5000×5000 slide tile; embryo frames are about
 * 0.25 MP). A frame's samples, its display copy and the PNG encoder's buffers stay under ≈0.5 GB
 * even for 32-bit or 16-bit colour data, with four frames decoding at once.
 */
export const MAX_FRAME_PIXELS = 25_000_000;

/** The image pixel module of an instance, validated. */
export interface PixelModule {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: 1 | 3;
  bitsAllocated: 1 | 8 | 16 | 32;
  bitsStored: number;
  highBit: number;
  /** PixelRepresentation 1: two's complement samples. */
  signed: boolean;
  photometric: Photometric;
  /** Native colour data: 0 = R1G1B1R2…, 1 = all R, then all G, then all B. */
  planarConfiguration: 0 | 1;
  palette: PaletteLut | null;
}

const ALL: Photometric[] = ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'PALETTE COLOR'];

/** What each encoding can carry (PS3.5 8.2 and Annex G): YBR_FULL_422 only native or lossy JPEG, YBR_RCT/ICT only JPEG 2000. */
const PHOTOMETRICS: Record<PixelEncoding, Photometric[]> = {
  native: [...ALL, 'YBR_FULL_422'],
  rle: ALL,
  jpeg: ['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422'],
  'jpeg-lossless': ALL,
  'jpeg-ls': ALL,
  jpeg2000: [...ALL, 'YBR_RCT', 'YBR_ICT'],
  htj2k: [...ALL, 'YBR_RCT', 'YBR_ICT'],
};

/** Bits allocated each encoding can carry; 1-bit images are native only. */
const BITS_ALLOCATED: Record<PixelEncoding, number[]> = {
  native: [1, 8, 16, 32],
  rle: [8, 16, 32],
  jpeg: [8, 16],
  'jpeg-lossless': [8, 16],
  'jpeg-ls': [8, 16],
  jpeg2000: [8, 16],
  htj2k: [8, 16],
};

export function readPixelModule(ds: DataSet, encoding: PixelEncoding, syntaxName: string): PixelModule {
  const rows = ds.uint16(TAG.rows) ?? 0;
  const columns = ds.uint16(TAG.columns) ?? 0;
  const frames = ds.intString(TAG.numberOfFrames) ?? 1;
  const samplesPerPixel = ds.uint16(TAG.samplesPerPixel) ?? 1;
  const bitsAllocated = ds.uint16(TAG.bitsAllocated) ?? 0;
  const bitsStored = ds.uint16(TAG.bitsStored) || bitsAllocated;
  const highBit = ds.uint16(TAG.highBit) ?? bitsStored - 1;
  const signed = (ds.uint16(TAG.pixelRepresentation) ?? 0) === 1;
  const photometric = (ds.string(TAG.photometricInterpretation) ?? '').trim() as Photometric;

  if (!rows || !columns) throw new PixelDataError('Rows or Columns missing');
  if (!(frames >= 1))
    throw new PixelDataError(`NumberOfFrames "${ds.string(TAG.numberOfFrames)}" is not a positive number`);
  // the site's IMAGE_MAX_MEGAPIXELS, never above what DICOM's wider samples let us decode safely
  const limit = Math.min(MAX_FRAME_PIXELS, maxImagePixels());
  if (rows * columns > limit) {
    const mp = (rows * columns) / 1e6;
    throw new PixelDataError(
      `frames of ${columns}×${rows} (${mp.toFixed(1)} megapixels) exceed the import limit of ${limit / 1e6} megapixels per frame`,
    );
  }
  if (!PHOTOMETRICS[encoding].includes(photometric)) {
    const known = Object.values(PHOTOMETRICS).some((list) => list.includes(photometric));
    throw new PixelDataError(
      known
        ? `PhotometricInterpretation ${photometric} cannot be carried by ${syntaxName}`
        : `PhotometricInterpretation ${photometric || '(none)'} is not supported`,
    );
  }
  const colour = photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2' && photometric !== 'PALETTE COLOR';
  const expectedSamples = colour ? 3 : 1;
  if (samplesPerPixel !== expectedSamples)
    throw new PixelDataError(`SamplesPerPixel ${samplesPerPixel} does not match ${photometric}`);
  if (!BITS_ALLOCATED[encoding].includes(bitsAllocated)) {
    throw new PixelDataError(
      `BitsAllocated ${bitsAllocated} is not supported with ${syntaxName} (${BITS_ALLOCATED[encoding].join(', ')})`,
    );
  }
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated && highBit >= bitsStored - 1 && highBit < bitsAllocated)) {
    throw new PixelDataError(`BitsStored ${bitsStored} / HighBit ${highBit} do not fit BitsAllocated ${bitsAllocated}`);
  }
  if (bitsAllocated === 1 && photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw new PixelDataError(`1-bit ${photometric} images are not supported`);
  }
  if (colour && bitsAllocated > 16)
    throw new PixelDataError(`colour images with ${bitsAllocated} bits per sample are not supported (8 or 16)`);
  if (colour && signed) throw new PixelDataError('signed colour samples (PixelRepresentation 1) are not supported');
  if (photometric === 'PALETTE COLOR' && bitsAllocated > 16)
    throw new PixelDataError(`palette indices of ${bitsAllocated} bits are not supported (8 or 16)`);
  if (photometric === 'YBR_FULL_422' && (bitsAllocated !== 8 || columns % 2)) {
    throw new PixelDataError('YBR_FULL_422 needs 8-bit samples and an even number of columns');
  }
  return {
    rows,
    columns,
    frames,
    samplesPerPixel: expectedSamples,
    bitsAllocated: bitsAllocated as PixelModule['bitsAllocated'],
    bitsStored,
    highBit,
    signed,
    photometric,
    planarConfiguration: ds.uint16(TAG.planarConfiguration) === 1 ? 1 : 0,
    palette: photometric === 'PALETTE COLOR' ? readPaletteLut(ds, signed) : null,
  };
}
