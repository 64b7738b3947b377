import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEncapsulatedImageFrame } from 'dicom-parser';
import { parseDicomFile } from '../../../src/ingest/dicom/dicom-file';
import { dicomFile, type DicomItem } from './dicom-writer';

/**
 * The committed DICOM encoding fixtures (test/fixtures/dicom-encodings, made by its generate.py)
 * and a builder for instances around a code stream of them.
 */
export const ENCODING_FIXTURES = join(__dirname, '../../fixtures/dicom-encodings');

export interface EncodingFixture {
  name: string;
  file: string;
  transferSyntax: string;
  expected: string;
  depth: 8 | 16;
  channels: 1 | 3;
  frames: number;
  rows: number;
  columns: number;
  tolerance: { meanAbs: number; maxAbs: number } | null;
}

export const encodingManifest = JSON.parse(readFileSync(join(ENCODING_FIXTURES, 'manifest.json'), 'utf8')) as {
  patientId: string;
  studyInstanceUid: string;
  fixtures: EncodingFixture[];
};

export const encodingFixture = (name: string): Buffer => readFileSync(join(ENCODING_FIXTURES, 'dicom', `${name}.dcm`));

/** The expected display pixels of a fixture, frame after frame. */
export function expectedPixels(f: EncodingFixture): Uint8Array | Uint16Array {
  const raw = readFileSync(join(ENCODING_FIXTURES, f.expected));
  return f.depth === 8
    ? new Uint8Array(raw)
    : new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** The first frame's code stream of a compressed fixture. */
export function firstCodestream(name: string): Buffer {
  const { ds } = parseDicomFile(encodingFixture(name));
  return Buffer.from(readEncapsulatedImageFrame(ds, ds.elements.x7fe00010, 0));
}

/** A 48×32 8-bit gray secondary capture of the fixtures' patient and study around the given pixel data. */
export function grayInstance(
  n: number,
  pixelData: DicomItem[string],
  over: Record<string, DicomItem[string]> = {},
  syntax = '1.2.840.10008.1.2.1',
): Buffer {
  const { patientId, studyInstanceUid } = encodingManifest;
  return dicomFile(
    {
      '00080016': ['UI', '1.2.840.10008.5.1.4.1.1.7'],
      '00080018': ['UI', `${studyInstanceUid}.90${n}.1`],
      '0008002A': ['DT', '20260105120000'],
      '00100020': ['LO', patientId],
      '0020000D': ['UI', studyInstanceUid],
      '0020000E': ['UI', `${studyInstanceUid}.90${n}`],
      '00280002': ['US', 1],
      '00280004': ['CS', 'MONOCHROME2'],
      '00280010': ['US', 32],
      '00280011': ['US', 48],
      '00280100': ['US', 8],
      '00280101': ['US', 8],
      '00280103': ['US', 0],
      '7FE00010': pixelData,
      ...over,
    } as DicomItem,
    syntax,
  );
}
