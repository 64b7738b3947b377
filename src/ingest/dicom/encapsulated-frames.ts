import type { DataSet, Element } from 'dicom-parser';
import { TAG, type PixelEncoding } from './dicom-dictionary';
import { PixelDataError } from './pixel-data-error';

interface Fragment {
  /** Offset of the fragment's item tag from the first fragment's, as offset tables count. */
  offset: number;
  /** Where the fragment's bytes start in the file. */
  position: number;
  length: number;
}

/** Recognises the first fragment of a frame when there is no offset table to say where frames start. */
const FRAME_START: Partial<Record<PixelEncoding, (b: Uint8Array) => boolean>> = {
  jpeg: (b) => b[0] === 0xff && b[1] === 0xd8,
  'jpeg-lossless': (b) => b[0] === 0xff && b[1] === 0xd8,
  'jpeg-ls': (b) => b[0] === 0xff && b[1] === 0xd8,
  // a code stream (SOC, SIZ) or a JP2 file (signature box)
  jpeg2000: (b) =>
    (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) ||
    (b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20),
  htj2k: (b) =>
    (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) ||
    (b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20),
};

/**
 * One reader per frame of encapsulated (compressed) pixel data. Frames are found by the Extended
 * Offset Table, else the Basic Offset Table, else one fragment per frame when the counts match,
 * else by the code stream's start marker (a frame may span several fragments).
 */
export function encapsulatedFrames(
  ds: DataSet,
  element: Element,
  frameCount: number,
  encoding: PixelEncoding,
): (() => Uint8Array)[] {
  const fragments: Fragment[] = element.fragments ?? [];
  if (!element.encapsulatedPixelData || fragments.length === 0)
    throw new PixelDataError('compressed pixel data has no fragments');
  const bytesOf = (f: Fragment) => ds.byteArray.subarray(f.position, f.position + f.length);
  let groups: Fragment[][];
  const table = extendedOffsetTable(ds) ?? (element.basicOffsetTable?.length ? element.basicOffsetTable : null);
  if (table) {
    groups = table.map((start, i) =>
      fragments.filter((f) => f.offset >= start && (i + 1 >= table.length || f.offset < table[i + 1])),
    );
    const empty = groups.findIndex((g) => g.length === 0);
    if (empty >= 0)
      throw new PixelDataError(`offset table entry ${empty + 1} points to no fragment (corrupt offset table)`);
  } else if (frameCount === 1) {
    groups = [fragments];
  } else if (fragments.length === frameCount) {
    groups = fragments.map((f) => [f]);
  } else {
    const startsFrame = FRAME_START[encoding];
    if (!startsFrame)
      throw new PixelDataError(
        `${fragments.length} fragments without an offset table cannot be split into ${frameCount} frames`,
      );
    groups = [];
    for (const f of fragments) {
      if (groups.length === 0 || startsFrame(bytesOf(f))) groups.push([f]);
      else groups[groups.length - 1].push(f);
    }
  }
  if (groups.length < frameCount)
    throw new PixelDataError(
      `pixel data holds ${groups.length} compressed frame(s), NumberOfFrames says ${frameCount}`,
    );
  return groups
    .slice(0, frameCount)
    .map((group) => () => (group.length === 1 ? bytesOf(group[0]) : Buffer.concat(group.map(bytesOf))));
}

/** Extended Offset Table (7FE0,0001): 64-bit little-endian offsets, for pixel data past 4 GiB. */
function extendedOffsetTable(ds: DataSet): number[] | null {
  const element = ds.elements[TAG.extendedOffsetTable];
  if (!element?.length) return null;
  const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + element.dataOffset, element.length);
  return Array.from({ length: Math.floor(element.length / 8) }, (_, i) => Number(view.getBigUint64(i * 8, true)));
}
