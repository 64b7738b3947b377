import { deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeJpegDct } from '../../src/ingest/dicom/codecs/jpeg-dct';
import { DicomFileProblem, parseDicomFile } from '../../src/ingest/dicom/dicom-file';
import { readDicomInstance } from '../../src/ingest/dicom/dicom-instance.reader';
import { errorText } from '../../src/ingest/dicom/error-text';
import { UnreadableFrameError } from '../../src/ingest/frames/frame-normaliser';
import { type DicomItem } from './support/dicom-writer';
import {
  encodingFixture as fixture,
  firstCodestream as codestream,
  grayInstance,
} from './support/dicom-encoding-fixtures';

const ENCODINGS = {
  j2k: '1.2.840.10008.1.2.4.90',
  jpegLs: '1.2.840.10008.1.2.4.80',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  rle: '1.2.840.10008.1.2.5',
} as const;

const instance = (pixelData: DicomItem[string], over: Record<string, DicomItem[string]> = {}, syntax?: string) =>
  grayInstance(1, pixelData, over, syntax);

/** The reason the importer gives for a file it refuses as a whole. */
function refusal(bytes: Uint8Array, options = {}): string {
  try {
    readDicomInstance(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DicomFileProblem);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

/** The reason the importer gives for a frame it cannot decode. */
async function frameFailure(bytes: Uint8Array): Promise<string> {
  const [frame] = readDicomInstance(bytes).frames;
  const error = await frame.load().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnreadableFrameError);
  return (error as Error).message;
}

describe('DICOM decoding: readable reasons for what cannot be imported', () => {
  it('turns whatever a parser or codec throws into text, never "[object Object]" or "undefined"', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText('dicomParser.readFixedString: attempt to read past end of buffer')).toBe(
      'dicomParser.readFixedString: attempt to read past end of buffer',
    );
    // dicom-parser wraps what it throws with the partial data set
    expect(errorText({ exception: 'dicomParser:parseDicomDataSetExplicit: buffer overrun', dataSet: {} })).toBe(
      'dicomParser:parseDicomDataSetExplicit: buffer overrun',
    );
    expect(errorText(256656)).toBe('native decoder error 256656');
    expect(errorText({ code: 7 })).toBe('{"code":7}');
  });

  it("names a truncated file with the parser's own words", () => {
    const whole = fixture('explicit-be-gray16-3frames');
    expect(refusal(whole.subarray(0, 300))).toBe(
      'truncated or corrupt DICOM file: littleEndianByteArrayParser.readUint16: attempt to read past end of buffer',
    );
    // cut inside the data set: dicom-parser throws { exception, dataSet }, which used to read "[object Object]"
    expect(refusal(whole.subarray(0, 500))).toBe(
      'truncated or corrupt DICOM file: dicomParser:parseDicomDataSetExplicit: buffer overrun',
    );
    expect(refusal(instance(['OB', Buffer.alloc(48 * 32, 9)], { '00280008': ['IS', '2'] }))).toBe(
      'pixel data holds 1536 bytes but 2 frame(s) of 48×32 need 3072 (file truncated?)',
    );
  });

  it('refuses by name the transfer syntaxes and pixel layouts it does not decode', () => {
    const pixels: DicomItem[string] = ['OB', Buffer.alloc(48 * 32, 7)];
    expect(refusal(instance(pixels, {}, '1.2.840.10008.1.2.4.102'))).toMatch(
      /^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.102 \(MPEG-4 AVC\/H\.264 video\)/,
    );
    expect(refusal(instance(pixels, {}, '1.2.840.10008.1.2.4.55'))).toMatch(
      /^unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.55 \(retired JPEG process/,
    );
    expect(refusal(instance(pixels, {}, '1.2.3.4'))).toMatch(/^unsupported transfer syntax 1\.2\.3\.4 \(unknown\)/);
    expect(refusal(instance(pixels, { '00280004': ['CS', 'CMYK'], '00280002': ['US', 4] }))).toBe(
      'PhotometricInterpretation CMYK is not supported',
    );
    expect(refusal(instance(pixels, { '00280004': ['CS', 'YBR_RCT'], '00280002': ['US', 3] }))).toBe(
      'PhotometricInterpretation YBR_RCT cannot be carried by Explicit VR Little Endian',
    );
    expect(refusal(instance(pixels, { '00280100': ['US', 12], '00280101': ['US', 12] }))).toBe(
      'BitsAllocated 12 is not supported with Explicit VR Little Endian (1, 8, 16, 32)',
    );
  });

  it('bounds decode memory: frames over 25 megapixels are refused before anything is decoded', () => {
    expect(refusal(instance(['OB', Buffer.alloc(16)], { '00280010': ['US', 6000], '00280011': ['US', 6000] }))).toBe(
      'frames of 6000×6000 (36.0 megapixels) exceed the import limit of 25 megapixels per frame',
    );
  });

  it('bounds and explains deflated data sets', () => {
    expect(refusal(fixture('deflated-gray8'), { maxInflatedBytes: 1000 })).toBe(
      'deflated data set inflates to more than 1000 bytes, the import limit',
    );
    const good = fixture('deflated-gray8');
    const { ds } = parseDicomFile(good);
    const metaEnd = 132 + 12 + (ds.uint32('x00020000') ?? 0);
    const corrupt = Buffer.concat([good.subarray(0, metaEnd), Buffer.from('this is not a deflate stream at all')]);
    expect(refusal(corrupt)).toMatch(/^deflated data set cannot be inflated: .+/);
    // a deflate bomb: 16 MiB of zeros in 16 KiB
    const bomb = Buffer.concat([good.subarray(0, metaEnd), deflateRawSync(Buffer.alloc(16 * 2 ** 20))]);
    expect(refusal(bomb, { maxInflatedBytes: 4 * 2 ** 20 })).toBe(
      'deflated data set inflates to more than 4 MiB, the import limit',
    );
  });

  it('refuses a truncated or mis-sized code stream before decoding it', async () => {
    const j2k = codestream('j2k-lossless-gray8');
    expect(
      await frameFailure(instance(['OB', { fragments: [j2k.subarray(0, j2k.length >> 1)] }], {}, ENCODINGS.j2k)),
    ).toBe('JPEG 2000 frame is truncated (no end-of-image marker)');
    expect(await frameFailure(instance(['OB', { fragments: [j2k] }], { '00280011': ['US', 64] }, ENCODINGS.j2k))).toBe(
      'JPEG 2000 frame cannot be decoded: JPEG 2000 code stream is 48×32 with 1 component(s), the DICOM header says 64×32 with 1',
    );
    // a code stream claiming a huge image is refused on its header, before the decoder allocates it
    const huge = Buffer.from(j2k);
    huge.writeUInt32BE(60000, 8);
    huge.writeUInt32BE(60000, 12);
    expect(await frameFailure(instance(['OB', { fragments: [huge] }], {}, ENCODINGS.j2k))).toMatch(
      /code stream is 60000×60000 with 1 component\(s\), the DICOM header says 48×32/,
    );
    const ls = codestream('jpeg-ls-gray8');
    expect(
      await frameFailure(instance(['OB', { fragments: [ls.subarray(0, ls.length - 40)] }], {}, ENCODINGS.jpegLs)),
    ).toBe('JPEG-LS frame is truncated (no end-of-image marker)');
  });

  it("passes on the codec's own account of corrupt data, and decodes the next good frame", async () => {
    const j2k = codestream('j2k-lossless-gray8');
    const garbled = Buffer.from(j2k);
    garbled.fill(0xa5, 120, j2k.length - 2); // tile data destroyed, end marker kept
    const j2kReason = await frameFailure(instance(['OB', { fragments: [garbled] }], {}, ENCODINGS.j2k));
    // OpenJPEG says what is wrong only on its console: the importer passes that on
    expect(j2kReason).toMatch(
      /^JPEG 2000 frame cannot be decoded: the JPEG 2000 decoder returned no image; .*failed to read the header/,
    );

    const ls = codestream('jpeg-ls-gray8');
    const lsGarbled = Buffer.from(ls);
    lsGarbled.fill(0xff, 40, ls.length - 2);
    expect(await frameFailure(instance(['OB', { fragments: [lsGarbled] }], {}, ENCODINGS.jpegLs))).toBe(
      'JPEG-LS frame cannot be decoded: the JPEG-LS (CharLS) decoder rejected the code stream (corrupt or unsupported data)',
    );

    // the WebAssembly modules recover: the next frames decode
    for (const name of ['j2k-lossless-gray8', 'jpeg-ls-gray8']) {
      const [frame] = readDicomInstance(fixture(name)).frames;
      await expect(frame.load()).resolves.toMatchObject({ width: 48, height: 32, mime: 'image/png' });
    }
  });

  it('explains corrupt RLE, 12-bit JPEG and palette data', async () => {
    const rle = codestream('rle-gray8');
    expect(
      await frameFailure(instance(['OB', { fragments: [rle.subarray(0, rle.length - 200)] }], {}, ENCODINGS.rle)),
    ).toMatch(
      /^RLE frame cannot be decoded: RLE segment 1 ends (after \d+ of 1536 bytes|inside a (literal|replicate) run) \(truncated\?\)$/,
    );
    const header = Buffer.from(rle);
    header.writeUInt32LE(3, 0);
    expect(await frameFailure(instance(['OB', { fragments: [header] }], {}, ENCODINGS.rle))).toBe(
      'RLE frame cannot be decoded: RLE frame has 3 segment(s), 1 sample(s) of 8 bits need 1',
    );

    const jpeg12 = codestream('jpeg-extended-gray12');
    expect(
      await frameFailure(
        instance(
          ['OB', { fragments: [jpeg12.subarray(0, jpeg12.length - 100)] }],
          { '00280100': ['US', 16], '00280101': ['US', 12] },
          ENCODINGS.jpegExtended,
        ),
      ),
    ).toBe('JPEG frame is truncated (no end-of-image marker)');

    const palette = {
      '00280004': ['CS', 'PALETTE COLOR'],
      '00281101': ['US', [256, 0, 16]],
      '00281102': ['US', [256, 0, 16]],
      '00281103': ['US', [256, 0, 16]],
      '00281221': ['OW', Buffer.from(new Uint16Array([2, 1, 0, 0]).buffer)],
      '00281222': ['OW', Buffer.from(new Uint16Array([0, 1, 5, 1, 255, 9]).buffer)],
      '00281223': ['OW', Buffer.from(new Uint16Array([0, 1, 5, 1, 255, 9]).buffer)],
    } as Record<string, DicomItem[string]>;
    expect(refusal(instance(['OB', Buffer.alloc(48 * 32)], palette))).toBe(
      'Red segmented palette table is corrupt: an indirect segment cannot come first',
    );
  });

  it("decodes 8-bit sequential JPEG like libvips does (a check of the 12-bit decoder's arithmetic)", async () => {
    for (const [name, channels, worst] of [
      ['jpeg-baseline-gray8', 1, 2],
      ['jpeg-baseline-ybr-full', 3, 3],
    ] as const) {
      const bytes = codestream(name);
      const ours = decodeJpegDct(bytes);
      const theirs = await (channels === 1 ? sharp(bytes).toColourspace('b-w') : sharp(bytes))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([ours.width, ours.height, ours.components]).toEqual([
        theirs.info.width,
        theirs.info.height,
        theirs.info.channels,
      ]);
      let max = 0;
      for (let i = 0; i < theirs.data.length; i++) max = Math.max(max, Math.abs(ours.data[i] - theirs.data[i]));
      expect(max).toBeLessThanOrEqual(worst);
    }
  });
});
