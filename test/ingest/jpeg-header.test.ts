import sharp from 'sharp';
import { readJpegHeader } from '../../src/platform/images/jpeg-header';

const pixels = (w: number, h: number, channels: 1 | 3) =>
  sharp(Buffer.alloc(w * h * channels, 97), { raw: { width: w, height: h, channels } });

describe('readJpegHeader', () => {
  it('reads size and components of baseline and progressive, gray and colour JPEGs', async () => {
    const gray = await pixels(500, 530, 1).toColourspace('b-w').jpeg().toBuffer();
    const colour = await pixels(64, 48, 3).jpeg({ progressive: true }).toBuffer();
    // an extra APP1 segment (e.g. EXIF from the incubator) and a fill byte before the frame header
    const plain = await pixels(40, 30, 1).toColourspace('b-w').jpeg().toBuffer();
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, 0x0a]), Buffer.from('Exif\0\0ab')]);
    const withExif = Buffer.concat([plain.subarray(0, 2), app1, Buffer.from([0xff]), plain.subarray(2)]);
    expect((await sharp(withExif).metadata()).width).toBe(40); // still a valid JPEG for libvips
    expect(readJpegHeader(gray)).toEqual({ width: 500, height: 530, components: 1, precision: 8, sof: 0xc0 });
    expect(readJpegHeader(colour)).toEqual({ width: 64, height: 48, components: 3, precision: 8, sof: 0xc2 });
    expect(readJpegHeader(withExif)).toEqual({ width: 40, height: 30, components: 1, precision: 8, sof: 0xc0 });
  });

  it('returns null for what is not a JPEG or has no frame header', async () => {
    const png = await pixels(8, 8, 1).png().toBuffer();
    const jpeg = await pixels(8, 8, 1).jpeg().toBuffer();
    expect(readJpegHeader(png)).toBeNull();
    expect(readJpegHeader(Buffer.from('not an image'))).toBeNull();
    expect(readJpegHeader(jpeg.subarray(0, 6))).toBeNull();
    expect(readJpegHeader(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });
});
