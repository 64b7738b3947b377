import sharp from 'sharp';

/** The seven focal planes of an EmbryoScope export, in µm from the reference plane. */
export const EXPORT_FOCAL_PLANES_UM = [-45, -30, -15, 0, 15, 30, 45] as const;

/**
 * Defocus blur for a plane: Gaussian sigma growing with |µm|, in pixels of a 500-pixel image
 * (scaled for other sizes). ±45 µm is about as soft as a real outer plane.
 */
export function defocusSigma(planeUm: number, size: number): number {
  return (0.25 + Math.abs(planeUm) * 0.11) * (size / 500);
}

/**
 * Encodes the in-focus image as the JPEG seen at one focal plane: blurred by defocus, slightly
 * darker below focus and brighter above (the halo of phase-like optics), 8-bit single channel.
 */
export async function encodePlane(pixels: Uint8Array, size: number, planeUm: number, quality = 88): Promise<Buffer> {
  let image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: size, height: size, channels: 1 },
  });
  const sigma = defocusSigma(planeUm, size);
  if (sigma >= 0.3) image = image.blur(sigma); // sharp's blur needs sigma ≥ 0.3; below that is in focus
  const offset = Math.sign(planeUm) * Math.min(6, Math.abs(planeUm) / 8);
  return image.linear(1, offset).toColourspace('b-w').jpeg({ quality }).toBuffer();
}
