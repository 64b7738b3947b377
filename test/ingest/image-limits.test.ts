import dicomParser from 'dicom-parser';
import sharp from 'sharp';
import {
  UnreadableFrameError,
  normaliseEncodedFrame,
  normaliseRawFrame,
} from '../../src/ingest/frames/frame-normaliser';
import { PixelDataError } from '../../src/ingest/dicom/pixel-data-error';
import { readPixelModule } from '../../src/ingest/dicom/pixel-module';

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
import { ImageDecodeError, preprocessFrame } from '../../src/inference/preprocess';
import { DecodeBusyError, DecodeSlots } from '../../src/platform/images/decode-slots';
import {
  ImageTooLargeError,
  UnsupportedImageError,
  admitEncodedImage,
  readImageHeader,
} from '../../src/platform/images/image-limits';
import { jpegHeaderBomb, pngBomb } from '../helpers/image-bombs';
import { grayJpeg } from '../helpers/ingest-fixtures';
import { dicomFile } from './support/dicom-writer';

/** 8200² = 67.2 MP: above the default 64 MP, below libvips' own 268 MP, so only our limit stops it. */
const SIDE = 8200;
const TOO_LARGE =
  /image is 8200×8200 pixels \(67 megapixels\), above the limit of 64 megapixels \(IMAGE_MAX_MEGAPIXELS\)/;

describe('image size limits (decompression bombs)', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await pngBomb(SIDE, SIDE);
  });

  it('reads sizes from headers and refuses, unread, what is too large or no JPEG/PNG', async () => {
    expect(bomb.length).toBeLessThan(200_000); // a small file…
    expect(readImageHeader(bomb)).toEqual({ format: 'png', width: SIDE, height: SIDE, bitDepth: 8 }); // …that states 67 MP
    expect(readImageHeader(await grayJpeg(1, 40, 30))).toEqual({
      format: 'jpeg',
      width: 40,
      height: 30,
      bitDepth: 8,
      components: 1,
    });
    expect(() => admitEncodedImage(bomb)).toThrow(ImageTooLargeError);
    expect(() => admitEncodedImage(jpegHeaderBomb(30000, 30000))).toThrow(/30000×30000 pixels \(900 megapixels\)/);
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'black' } })
      .tiff()
      .toBuffer();
    expect(() => admitEncodedImage(tiff)).toThrow(UnsupportedImageError);
    expect(admitEncodedImage(await grayJpeg(1, 500))).toMatchObject({ width: 500, height: 500 });
  });

  it('follows IMAGE_MAX_MEGAPIXELS', async () => {
    const png = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: 'white' } })
      .png()
      .toBuffer();
    const saved = process.env.IMAGE_MAX_MEGAPIXELS;
    process.env.IMAGE_MAX_MEGAPIXELS = '1';
    try {
      expect(() => admitEncodedImage(png)).toThrow(
        /1200×1000 pixels \(1\.2 megapixels\), above the limit of 1\.0 megapixels/,
      );
      await expect(normaliseRawFrame(new Uint8Array(1200 * 1000), 1200, 1000, 1)).rejects.toThrow(UnreadableFrameError);
    } finally {
      if (saved === undefined) delete process.env.IMAGE_MAX_MEGAPIXELS;
      else process.env.IMAGE_MAX_MEGAPIXELS = saved;
    }
    expect(admitEncodedImage(png)).toMatchObject({ width: 1200 });
  });

  it('import refuses the bomb with the sizes in the reason; a real frame still passes', async () => {
    await expect(normaliseEncodedFrame(bomb)).rejects.toThrow(UnreadableFrameError);
    await expect(normaliseEncodedFrame(bomb)).rejects.toThrow(TOO_LARGE);
    await expect(normaliseEncodedFrame(jpegHeaderBomb(30000, 30000))).rejects.toThrow(/30000×30000 pixels/);
    await expect(
      normaliseEncodedFrame(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="90000"/>')),
    ).rejects.toThrow(/not a readable image: not a JPEG or PNG image/);
    expect((await normaliseEncodedFrame(await grayJpeg(2, 500))).width).toBe(500);
  });

  it('scoring refuses the bomb with a clear error instead of decoding it', async () => {
    await expect(preprocessFrame(bomb, 32)).rejects.toThrow(ImageDecodeError);
    await expect(preprocessFrame(bomb, 32)).rejects.toThrow(TOO_LARGE);
  });

  it('DICOM refuses Rows × Columns above the limit before any pixel buffer exists', () => {
    const file = dicomFile(
      {
        '00080016': ['UI', '1.2.840.10008.5.1.4.1.1.77.1.2'],
        '00280002': ['US', 1],
        '00280004': ['CS', 'MONOCHROME2'],
        '00280010': ['US', 30000],
        '00280011': ['US', 30000],
        '00280100': ['US', 8],
        '00280101': ['US', 8],
        '00280103': ['US', 0],
        '7FE00010': ['OB', { fragments: [jpegHeaderBomb(16, 16)] }],
      },
      JPEG_BASELINE,
    );
    const ds = dicomParser.parseDicom(new Uint8Array(file));
    expect(() => readPixelModule(ds, 'jpeg', 'JPEG Baseline')).toThrow(PixelDataError);
    expect(() => readPixelModule(ds, 'jpeg', 'JPEG Baseline')).toThrow(
      /30000×30000 \(900\.0 megapixels\) exceed the import limit/,
    );
    const saved = process.env.IMAGE_MAX_MEGAPIXELS;
    process.env.IMAGE_MAX_MEGAPIXELS = '1';
    try {
      const small = dicomParser.parseDicom(
        new Uint8Array(
          dicomFile(
            {
              '00080016': ['UI', '1.2.840.10008.5.1.4.1.1.77.1.2'],
              '00280002': ['US', 1],
              '00280004': ['CS', 'MONOCHROME2'],
              '00280010': ['US', 1200],
              '00280011': ['US', 1000],
              '00280100': ['US', 8],
              '00280101': ['US', 8],
              '00280103': ['US', 0],
              '7FE00010': ['OB', { fragments: [jpegHeaderBomb(16, 16)] }],
            },
            JPEG_BASELINE,
          ),
        ),
      );
      expect(() => readPixelModule(small, 'jpeg', 'JPEG Baseline')).toThrow(
        /above|exceed the import limit of 1 megapixels/,
      );
    } finally {
      if (saved === undefined) delete process.env.IMAGE_MAX_MEGAPIXELS;
      else process.env.IMAGE_MAX_MEGAPIXELS = saved;
    }
  });

  it('bounds decodes in flight, hands slots over in order and refuses past a full queue', async () => {
    const slots = new DecodeSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const release: (() => void)[] = [];
    const work = (i: number) =>
      slots.run(
        async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise<void>((r) => release.push(r));
          running -= 1;
          order.push(i);
        },
        { maxWaiting: 3 },
      );
    const jobs = [0, 1, 2, 3, 4].map(work);
    await expect(work(5)).rejects.toThrow(DecodeBusyError);
    expect([slots.inUse, slots.queued]).toEqual([2, 3]);
    while (order.length < 5) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect([slots.inUse, slots.queued]).toEqual([0, 0]);
  });
});
