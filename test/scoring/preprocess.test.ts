import sharp from 'sharp';
import { bitDepthOf, preprocessFrame, resizeSideFor, ImageDecodeError } from '../../src/inference/preprocess';

/** A square gray image whose left half is `left` and right half `right`. */
function halves(side: number, left: number, right: number, sixteen: boolean) {
  const values = sixteen ? new Uint16Array(side * side) : new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) values[y * side + x] = x < side / 2 ? left : right;
  const image = sharp(values, { raw: { width: side, height: side, channels: 1 } });
  return sixteen ? image.toColourspace('grey16').png().toBuffer() : image.png().toBuffer();
}

describe('preprocess (DESIGN.md §5)', () => {
  it('resizes to ⌊S·256/224⌋ before the centre crop', () => {
    expect(resizeSideFor(224)).toBe(256);
    expect(resizeSideFor(32)).toBe(36);
  });

  it('scales 8-bit frames by 1/255 into an S×S float32 plane', async () => {
    const png = await halves(100, 51, 255, false);
    expect(bitDepthOf(png)).toBe(8);
    const plane = await preprocessFrame(png, 32);
    expect(plane).toHaveLength(32 * 32);
    expect(plane[5 * 32 + 0]).toBeCloseTo(51 / 255, 2);
    expect(plane[5 * 32 + 31]).toBeCloseTo(1, 2);
  });

  it('scales 16-bit frames by 1/65535', async () => {
    const png = await halves(100, 1000, 60000, true);
    expect(bitDepthOf(png)).toBe(16);
    const plane = await preprocessFrame(png, 32);
    expect(plane[0]).toBeCloseTo(1000 / 65535, 3);
    expect(plane[31]).toBeCloseTo(60000 / 65535, 2);
  });

  it('crops the centre: a border outside the crop never reaches the model', async () => {
    // 36×36 after resizing; a 2-pixel white frame around a black 32×32 centre is cut away
    const side = 36;
    const values = new Uint8Array(side * side).fill(255);
    for (let y = 2; y < 34; y++) for (let x = 2; x < 34; x++) values[y * side + x] = 0;
    const png = await sharp(values, { raw: { width: side, height: side, channels: 1 } })
      .png()
      .toBuffer();
    const plane = await preprocessFrame(png, 32);
    expect(Math.max(...plane)).toBe(0);
  });

  it('turns a colour JPEG into gray values in [0,1]', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 100, b: 50 } } })
      .jpeg()
      .toBuffer();
    const plane = await preprocessFrame(jpeg, 32);
    expect(plane.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('refuses bytes that are not an image with a clear error', async () => {
    await expect(preprocessFrame(Buffer.from('not an image'), 32)).rejects.toThrow(ImageDecodeError);
  });
});
