import type { DataSet } from 'dicom-parser';
import { PixelDataError } from './pixel-data-error';
import { TAG } from './dicom-dictionary';

/** The red, green and blue palette colour lookup tables of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5). */
export interface PaletteLut {
  /** Stored pixel value mapped to entry 0; lower values map to entry 0, higher ones past the end to the last. */
  firstMapped: number;
  /** 8 or 16: the depth of the RGB the table produces. */
  bits: 8 | 16;
  red: Uint16Array;
  green: Uint16Array;
  blue: Uint16Array;
}

const CHANNELS = [
  ['Red', TAG.redPaletteDescriptor, TAG.redPaletteData, TAG.segmentedRedPaletteData],
  ['Green', TAG.greenPaletteDescriptor, TAG.greenPaletteData, TAG.segmentedGreenPaletteData],
  ['Blue', TAG.bluePaletteDescriptor, TAG.bluePaletteData, TAG.segmentedBluePaletteData],
] as const;

/** The 16-bit words of an OW element, in the data set's byte order. */
function words(ds: DataSet, tag: string): number[] {
  const element = ds.elements[tag];
  const count = Math.floor((element?.length ?? 0) / 2);
  return Array.from({ length: count }, (_, i) => ds.uint16(tag, i) ?? 0);
}

export function readPaletteLut(ds: DataSet, signedPixels: boolean): PaletteLut {
  const tables = CHANNELS.map(([colour, descriptorTag, dataTag, segmentedTag]) => {
    if (!ds.elements[descriptorTag])
      throw new PixelDataError(`PALETTE COLOR image without ${colour} Palette Color Lookup Table Descriptor`);
    const entries = ds.uint16(descriptorTag, 0) || 65536;
    let firstMapped = ds.uint16(descriptorTag, 1) ?? 0;
    if (signedPixels && firstMapped > 0x7fff) firstMapped -= 0x10000;
    const bits = ds.uint16(descriptorTag, 2);
    if (bits !== 8 && bits !== 16)
      throw new PixelDataError(`${colour} palette entries of ${bits} bits are not supported (8 or 16)`);
    let values: Uint16Array;
    if (ds.elements[dataTag]) {
      values = plainTable(words(ds, dataTag), entries, bits, colour);
    } else if (ds.elements[segmentedTag]) {
      values = expandSegments(words(ds, segmentedTag), entries, colour);
    } else {
      throw new PixelDataError(`PALETTE COLOR image without ${colour} Palette Color Lookup Table Data`);
    }
    return { entries, firstMapped, bits: bits as 8 | 16, values };
  });
  const [r, g, b] = tables;
  if (
    g.entries !== r.entries ||
    b.entries !== r.entries ||
    g.bits !== r.bits ||
    b.bits !== r.bits ||
    g.firstMapped !== r.firstMapped
  ) {
    throw new PixelDataError('the red, green and blue palette descriptors differ');
  }
  return { firstMapped: r.firstMapped, bits: r.bits, red: r.values, green: g.values, blue: b.values };
}

/**
 * Table data is OW. 16-bit entries fill one word each. 8-bit entries come either packed two per
 * word (low byte first) or, as many writers do, one per word.
 */
function plainTable(data: number[], entries: number, bits: 8 | 16, colour: string): Uint16Array {
  if (data.length === entries) {
    const values = Uint16Array.from(data);
    // 8-bit entries written one per word, some in the high byte
    if (bits === 8 && values.some((v) => v > 0xff)) for (let i = 0; i < entries; i++) values[i] >>= 8;
    return values;
  }
  if (bits === 8 && data.length === Math.ceil(entries / 2)) {
    const values = new Uint16Array(entries);
    for (let i = 0; i < entries; i++) values[i] = (data[i >> 1] >> ((i & 1) * 8)) & 0xff;
    return values;
  }
  throw new PixelDataError(`${colour} palette table holds ${data.length} words for ${entries} entries`);
}

/**
 * Segmented tables (PS3.3 C.7.9.2): discrete segments (0, n, v1…vn), linear segments (1, n, y: n
 * steps from the previous value to y) and indirect segments (2, n, offset as two words, low word
 * first: repeat n segments starting at that byte offset of the segment data).
 */
function expandSegments(data: number[], entries: number, colour: string): Uint16Array {
  const out: number[] = [];
  const fail = (why: string): never => {
    throw new PixelDataError(`${colour} segmented palette table is corrupt: ${why}`);
  };
  const expand = (start: number, maxSegments: number, depth: number): void => {
    if (depth > 4) fail('indirect segments nest too deep');
    let i = start;
    for (let segments = 0; segments < maxSegments && i + 1 < data.length; segments++) {
      const [opcode, length] = [data[i], data[i + 1]];
      if (opcode === 0) {
        if (i + 2 + length > data.length) fail('discrete segment runs past the end');
        for (let k = 0; k < length; k++) out.push(data[i + 2 + k]);
        i += 2 + length;
      } else if (opcode === 1) {
        if (out.length === 0) fail('a linear segment cannot come first');
        const y0 = out[out.length - 1];
        const y1 = data[i + 2];
        for (let k = 1; k <= length; k++) out.push(Math.round(y0 + ((y1 - y0) * k) / length));
        i += 3;
      } else if (opcode === 2) {
        if (out.length === 0) fail('an indirect segment cannot come first');
        const byteOffset = (data[i + 2] | (data[i + 3] << 16)) >>> 0;
        if (byteOffset % 2 || byteOffset / 2 >= i) fail('indirect segment points outside the earlier segments');
        expand(byteOffset / 2, length, depth + 1);
        i += 4;
      } else {
        fail(`unknown segment type ${opcode}`);
      }
      if (out.length > entries) fail(`expands to more than the ${entries} entries of its descriptor`);
    }
  };
  expand(0, Infinity, 0);
  if (out.length !== entries) fail(`expands to ${out.length} entries, its descriptor says ${entries}`);
  return Uint16Array.from(out);
}
