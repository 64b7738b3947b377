import { parseDicom, type DataSet } from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import { TAG, transferSyntax } from './dicom-dictionary';
import type { DecodableSyntax } from './dicom-pixels';
import { errorText } from './error-text';

/** A file the importer cannot take, with the status and reason for the report. */
export class DicomFileProblem extends Error {
  constructor(
    readonly status: 'skipped' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export interface ParseOptions {
  /** A deflated data set is inflated whole; past this many bytes it is refused instead of exhausting memory. */
  maxInflatedBytes?: number;
}

export const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;
const DICM_OFFSET = 128;

/**
 * Parses a Part-10 file (any byte order, deflated or not) and names its transfer syntax. Throws
 * DicomFileProblem when it is not DICOM, is truncated or corrupt, or uses a syntax the importer
 * does not decode.
 */
export function parseDicomFile(
  bytes: Uint8Array,
  options: ParseOptions = {},
): { ds: DataSet; syntax: DecodableSyntax } {
  if (
    bytes.length < DICM_OFFSET + 4 ||
    Buffer.from(bytes.subarray(DICM_OFFSET, DICM_OFFSET + 4)).toString('latin1') !== 'DICM'
  ) {
    throw new DicomFileProblem('skipped', 'not a DICOM Part 10 file (no "DICM" at byte 128)');
  }
  const limit = options.maxInflatedBytes ?? MAX_INFLATED_BYTES;
  let ds: DataSet;
  try {
    ds = parseDicom(withKnownVrs(bytes), {
      inflater: (all: Uint8Array, position: number) => inflateDataSet(all, position, limit),
    });
  } catch (error) {
    if (error instanceof DicomFileProblem) throw error;
    throw new DicomFileProblem('failed', `truncated or corrupt DICOM file: ${errorText(error)}`);
  }
  const uid = (ds.string(TAG.transferSyntaxUid) ?? '').trim();
  const syntax = transferSyntax(uid);
  if (!syntax?.encoding) {
    throw new DicomFileProblem(
      'failed',
      `unsupported transfer syntax ${uid || '(none)'} (${syntax?.name ?? 'unknown'}); send it uncompressed or in a syntax the importer decodes (see the README)`,
    );
  }
  return { ds, syntax: { ...syntax, encoding: syntax.encoding } };
}

/** The Extended Offset Table and its lengths, explicit VR little endian: tag, then VR "OV". */
const OV_ELEMENTS = [
  Buffer.from([0xe0, 0x7f, 0x01, 0x00, 0x4f, 0x56, 0, 0]),
  Buffer.from([0xe0, 0x7f, 0x02, 0x00, 0x4f, 0x56, 0, 0]),
];

/**
 * dicom-parser 1.8 predates the OV value representation and misreads its length, which breaks the
 * parse of every file with an Extended Offset Table (7FE0,0001–0002). OV is laid out like OB
 * (2 reserved bytes, 4-byte length), so a copy of the file with those two VRs renamed OB parses,
 * and the table reads the same.
 */
function withKnownVrs(bytes: Uint8Array): Uint8Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let copy: Buffer | null = null;
  for (const pattern of OV_ELEMENTS) {
    const at = buffer.indexOf(pattern);
    if (at < 0) continue;
    copy ??= Buffer.from(buffer);
    copy.write('OB', at + 4, 'latin1');
  }
  return copy ?? bytes;
}

/** dicom-parser's hook for Deflated Explicit VR Little Endian: the file up to `position`, then the inflated rest. */
function inflateDataSet(bytes: Uint8Array, position: number, limit: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(bytes.subarray(position), { maxOutputLength: limit });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DicomFileProblem(
        'failed',
        `deflated data set inflates to more than ${formatBytes(limit)}, the import limit`,
      );
    }
    throw new DicomFileProblem('failed', `deflated data set cannot be inflated: ${errorText(error)}`);
  }
  return Buffer.concat([bytes.subarray(0, position), inflated]);
}

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${n} bytes`;
}
