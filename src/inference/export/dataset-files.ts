import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { SEGMENT_COUNT } from '../../entities';
import { writeNpy } from '../npy';

/**
 * How an exported embryo's frames land on disk. PNG: one 8-bit grayscale S×S image per segment and
 * plane (compact, viewable); NPY: one float32 array [28, F, S, S] per embryo in [0, 1], exactly the
 * model's input, zero after the observed segments (the paper pads to T = 28 and masks the loss).
 */
export const DATASET_FORMATS = ['png', 'npy'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const pngName = (segment: number, planeUm: number) =>
  `seg${String(segment).padStart(2, '0')}_plane${planeUm}.png`;

/** `planes[k][f]` is segment k, plane f, preprocessed to S×S in [0, 1]. Returns the path relative to the dataset root. */
export async function writeEmbryoFrames(
  root: string,
  embryoId: string,
  planesUm: readonly number[],
  planes: Float32Array[][],
  size: number,
  format: DatasetFormat,
): Promise<string> {
  if (format === 'npy') {
    const F = planesUm.length;
    const data = new Float32Array(SEGMENT_COUNT * F * size * size);
    planes.forEach((segment, k) => segment.forEach((plane, f) => data.set(plane, (k * F + f) * size * size)));
    const relative = join('frames', `${embryoId}.npy`);
    await writeFile(join(root, relative), writeNpy({ shape: [SEGMENT_COUNT, F, size, size], data }));
    return relative;
  }
  const relative = join('frames', embryoId);
  await mkdir(join(root, relative), { recursive: true });
  await Promise.all(
    planes.flatMap((segment, k) =>
      segment.map((plane, f) => writeGrayPng(join(root, relative, pngName(k, planesUm[f])), plane, size)),
    ),
  );
  return relative;
}

/** One preprocessed plane ([0, 1] floats, size × size) as an 8-bit grayscale PNG. */
async function writeGrayPng(path: string, plane: Float32Array, size: number): Promise<void> {
  const pixels = Buffer.alloc(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(Math.min(1, Math.max(0, plane[i])) * 255);
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  await writeFile(path, png);
}

/** Columns of labels.csv: the export and the synthetic training set write the same file. */
export const LABELS_CSV_COLUMNS = [
  'embryo_id',
  'external_id',
  'cycle',
  'well',
  'patient_group',
  'split',
  'label',
  'outcome',
  'segments',
  'imputed_segments',
  'path',
] as const;

export const viewPngName = (segment: number, view: number, planeUm: number) =>
  `seg${String(segment).padStart(2, '0')}_v${view}_plane${planeUm}.png`;

/**
 * Several frames per segment (`views[k][v][f]`: segment k, view v, plane f): NPY float32
 * [28, K, F, S, S] (a segment with fewer views repeats its first; views.csv lists the real ones),
 * or PNGs segKK_vJ_planeP.png.
 */
export async function writeEmbryoViews(
  root: string,
  embryoId: string,
  planesUm: readonly number[],
  views: Float32Array[][][],
  size: number,
  format: DatasetFormat,
  perSegment: number,
): Promise<string> {
  const F = planesUm.length;
  if (format === 'npy') {
    const data = new Float32Array(SEGMENT_COUNT * perSegment * F * size * size);
    views.forEach((segment, k) => {
      for (let v = 0; v < perSegment; v++)
        (segment[v] ?? segment[0]).forEach((plane, f) => data.set(plane, ((k * perSegment + v) * F + f) * size * size));
    });
    const relative = join('frames', `${embryoId}.npy`);
    await writeFile(join(root, relative), writeNpy({ shape: [SEGMENT_COUNT, perSegment, F, size, size], data }));
    return relative;
  }
  const relative = join('frames', embryoId);
  await mkdir(join(root, relative), { recursive: true });
  for (const [k, segment] of views.entries()) {
    await Promise.all(
      segment.flatMap((view, v) =>
        view.map((plane, f) => writeGrayPng(join(root, relative, viewPngName(k, v, planesUm[f])), plane, size)),
      ),
    );
  }
  return relative;
}

/** CSV with quoting where needed and formula-like text neutralised (src/platform/csv.ts). */
export { csvLine } from '../../platform/csv';

export function datasetReadme(format: DatasetFormat, planesUm: readonly number[], size: number): string {
  return `amsnet-clinic dataset export
=============================

views.csv     with --frames-per-segment K > 1: the frames kept per segment (embryo_id, segment,
              view, hpi); view 0 is the one scoring uses; train on one drawn at random.
labels.csv    one row per embryo: label 1 = blastocyst, 0 = not; split = train / val / test
              (grouped by patient: siblings never straddle splits); segments = observed
              segments (the rest is padding: mask their loss, as the paper does);
              imputed_segments = segments whose frame was borrowed (DESIGN.md §5).
manifest.json seed, fractions, planes, input size, counts, what was skipped and why.
frames/       ${
    format === 'png'
      ? `<embryo_id>/segKK_planeP.png: 8-bit grayscale ${size}×${size} (segment KK = 0…27, plane P µm);
              divide by 255 to get the model input values.`
      : `<embryo_id>.npy: float32 [28, ${planesUm.length}, ${size}, ${size}] in [0, 1], the model input itself.`
  }

Frames were chosen and preprocessed exactly as the scoring worker does (frame closest to 6k+3 hpi,
resize to ${Math.floor((size * 256) / 224)}, centre crop ${size}); planes (µm, ascending): ${planesUm.join(', ')}.
The network normalises internally ((x − 0.449) / 0.226): feed these values unchanged.

Train in PyTorch, save the weights with safetensors.torch.save_file(model.state_dict(), "w.safetensors")
(key names of DESIGN.md §6), then bring them back:
  amsnet model build --variant amsnet --planes ${planesUm.join(',')} --weights w.safetensors --out m.onnx
  amsnet model register m.onnx --name <name> --version <version>
  amsnet evaluate --model <id> --clinic <code>
`;
}
