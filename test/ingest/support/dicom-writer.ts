/**
 * A tiny DICOM Part-10 writer for tests: explicit VR little endian data sets with nested sequences
 * (undefined length), native multi-frame pixel data and encapsulated (JPEG) pixel data.
 */
export type DicomValue = string | number | number[] | Buffer | DicomItem[] | { fragments: Buffer[] };
export type DicomItem = Record<string, [vr: string, value: DicomValue]>;

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR']);

function tagBytes(tag: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(parseInt(tag.slice(0, 4), 16), 0);
  b.writeUInt16LE(parseInt(tag.slice(4, 8), 16), 2);
  return b;
}

function valueBytes(vr: string, value: DicomValue): Buffer {
  if (Buffer.isBuffer(value)) return value.length % 2 ? Buffer.concat([value, Buffer.alloc(1)]) : value;
  const list = Array.isArray(value) ? (value as number[]) : [value as number];
  switch (vr) {
    case 'US': {
      const b = Buffer.alloc(2 * list.length);
      list.forEach((v, i) => b.writeUInt16LE(v, i * 2));
      return b;
    }
    case 'UL': {
      const b = Buffer.alloc(4 * list.length);
      list.forEach((v, i) => b.writeUInt32LE(v, i * 4));
      return b;
    }
    case 'FD': {
      const b = Buffer.alloc(8 * list.length);
      list.forEach((v, i) => b.writeDoubleLE(v, i * 8));
      return b;
    }
    case 'FL': {
      const b = Buffer.alloc(4 * list.length);
      list.forEach((v, i) => b.writeFloatLE(v, i * 4));
      return b;
    }
    default: {
      const text = String(value);
      const pad = vr === 'UI' ? '\0' : ' ';
      return Buffer.from(text.length % 2 ? text + pad : text, 'latin1');
    }
  }
}

const ITEM = 'FFFEE000';
const ITEM_END = 'FFFEE00D';
const SEQ_END = 'FFFEE0DD';
const undefinedLength = () => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(0xffffffff, 0);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};

export function encodeDataSet(items: DicomItem): Buffer {
  const parts: Buffer[] = [];
  for (const tag of Object.keys(items).sort()) {
    const [vr, value] = items[tag];
    const head = Buffer.concat([tagBytes(tag), Buffer.from(vr, 'latin1')]);
    if (vr === 'SQ') {
      const body = (value as DicomItem[]).map((it) =>
        Buffer.concat([tagBytes(ITEM), undefinedLength(), encodeDataSet(it), tagBytes(ITEM_END), u32(0)]),
      );
      parts.push(head, Buffer.alloc(2), undefinedLength(), ...body, tagBytes(SEQ_END), u32(0));
    } else if (typeof value === 'object' && value !== null && 'fragments' in value) {
      const fragments = value.fragments.map((f) => {
        const even = f.length % 2 ? Buffer.concat([f, Buffer.alloc(1)]) : f;
        return Buffer.concat([tagBytes(ITEM), u32(even.length), even]);
      });
      parts.push(
        head,
        Buffer.alloc(2),
        undefinedLength(),
        tagBytes(ITEM),
        u32(0),
        ...fragments,
        tagBytes(SEQ_END),
        u32(0),
      );
    } else {
      const bytes = valueBytes(vr, value);
      if (LONG_VRS.has(vr)) parts.push(head, Buffer.alloc(2), u32(bytes.length), bytes);
      else {
        const len = Buffer.alloc(2);
        len.writeUInt16LE(bytes.length, 0);
        parts.push(head, len, bytes);
      }
    }
  }
  return Buffer.concat(parts);
}

/** A Part-10 file: preamble, DICM, file meta (group 2) and the data set, explicit VR little endian. */
export function dicomFile(dataSet: DicomItem, transferSyntax = '1.2.840.10008.1.2.1'): Buffer {
  const sopClass = String(dataSet['00080016']?.[1] ?? '1.2.840.10008.5.1.4.1.1.7');
  const sopInstance = String(dataSet['00080018']?.[1] ?? '1.2.3');
  const meta = encodeDataSet({
    '00020001': ['OB', Buffer.from([0, 1])],
    '00020002': ['UI', sopClass],
    '00020003': ['UI', sopInstance],
    '00020010': ['UI', transferSyntax],
    '00020012': ['UI', '1.2.826.0.1.3680043.10.1'],
  });
  const groupLength = encodeDataSet({ '00020000': ['UL', meta.length] });
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, meta, encodeDataSet(dataSet)]);
}

/** Per-frame functional group item with an acquisition time and a Z offset (µm). */
export function perFrameGroup(acquisitionDateTime: string, zOffsetUm: number): DicomItem {
  return {
    '00209111': ['SQ', [{ '00189074': ['DT', acquisitionDateTime] }]],
    '0048021A': ['SQ', [{ '0040074A': ['DS', String(zOffsetUm)] }]],
  };
}
