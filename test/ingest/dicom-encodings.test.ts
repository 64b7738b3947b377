import sharp from 'sharp';
import { parseDicomFile } from '../../src/ingest/dicom/dicom-file';
import { frameDecoders, type DisplayFrame } from '../../src/ingest/dicom/dicom-pixels';
import {
  encodingFixture,
  encodingManifest,
  expectedPixels,
  type EncodingFixture,
} from './support/dicom-encoding-fixtures';

/**
 * Every transfer syntax, photometric interpretation and bit depth the importer decodes, checked
 * against the source pixels. The fixtures and the expected pixels are made by
 * test/fixtures/dicom-encodings/generate.py with DCMTK, OpenJPEG, OpenJPH and pydicom, never by
 * the code under test.
 */
const manifest = encodingManifest;

/** Display pixels of a decoded frame; an 8-bit JPEG kept as it is gets decoded by libvips here. */
async function pixelsOf(
  frame: DisplayFrame,
  channels: number,
): Promise<{ pixels: Uint8Array | Uint16Array; channels: number }> {
  if (!('jpeg' in frame)) return frame;
  const decoder = channels === 1 ? sharp(frame.jpeg).toColourspace('b-w') : sharp(frame.jpeg);
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data), channels: info.channels };
}

function expectedFrames(f: EncodingFixture): (Uint8Array | Uint16Array)[] {
  const all = expectedPixels(f);
  const size = f.rows * f.columns * f.channels;
  return Array.from({ length: f.frames }, (_, i) => all.subarray(i * size, (i + 1) * size));
}

function differences(actual: ArrayLike<number>, expected: ArrayLike<number>): { maxAbs: number; meanAbs: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { maxAbs: max, meanAbs: sum / expected.length };
}

describe('DICOM encodings: decoded pixels match the source', () => {
  it('covers every encoding the importer claims', () => {
    const syntaxes = new Set(manifest.fixtures.map((f) => f.transferSyntax));
    for (const uid of [
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2.1.99',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.51',
      '1.2.840.10008.1.2.4.57',
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.81',
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.91',
      '1.2.840.10008.1.2.4.201',
      '1.2.840.10008.1.2.4.203',
    ]) {
      expect(syntaxes).toContain(uid);
    }
  });

  it.each(manifest.fixtures.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const { ds, syntax } = parseDicomFile(encodingFixture(f.name));
    expect(syntax.encoding).not.toBeNull();
    const decoders = frameDecoders(ds, syntax);
    expect(decoders).toHaveLength(f.frames);
    const expected = expectedFrames(f);
    for (let i = 0; i < f.frames; i++) {
      const frame = await decoders[i]();
      if (!('jpeg' in frame)) expect([frame.width, frame.height]).toEqual([f.columns, f.rows]);
      const { pixels, channels } = await pixelsOf(frame, f.channels);
      expect(channels).toBe(f.channels);
      expect(pixels instanceof Uint16Array ? 16 : 8).toBe(f.depth);
      expect(pixels.length).toBe(expected[i].length);
      const diff = differences(pixels, expected[i]);
      if (f.tolerance) {
        expect(diff.meanAbs).toBeLessThanOrEqual(f.tolerance.meanAbs);
        expect(diff.maxAbs).toBeLessThanOrEqual(f.tolerance.maxAbs);
      } else {
        expect(diff).toEqual({ maxAbs: 0, meanAbs: 0 });
      }
    }
  });
});
