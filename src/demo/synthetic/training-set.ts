import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { csvLine, LABELS_CSV_COLUMNS } from '../../inference/export/dataset-files';
import { splitByGroup, type SplitFractions } from '../../inference/export/dataset-split';
import { preprocessFrame } from '../../inference/preprocess';
import { shuffledFates } from './demo-lab-plan';
import { drawStory } from './development-story';
import { sceneAt } from './embryo-scene';
import { EXPORT_FOCAL_PLANES_UM, encodePlane } from './focal-stack';
import { SeededRandom } from './random';
import { rasterise } from './raster';

/**
 * A synthetic training set in the layout of `amsnet export dataset` (labels.csv, manifest.json,
 * views.csv, frames/<id>.npy), drawn from its own seed so that the demo model never sees the demo
 * lab's embryos. Frames go through the same path as the lab's: raster → focal-plane JPEG →
 * the scoring worker's preprocessing, so training and scoring see the same pixels.
 */
export interface SyntheticTrainingSetOptions {
  outDir: string;
  seed: number;
  patients: number;
  embryosPerPatient: { min: number; max: number };
  inputSize: number;
  /** Frames per 6 h segment (the trainer draws one at random per segment, as the paper does). */
  framesPerSegment: number;
  /** Side of the rendered images before preprocessing (the demo lab imports 224 px). */
  imageSize?: number;
  fractions?: SplitFractions;
  onProgress?: (done: number, total: number) => void;
}

const SEGMENTS = 28;
const CULTURE_HOURS = SEGMENTS * 6;

/** uint8 .npy (numpy reads it; the trainer divides by 255), C order. */
function uint8Npy(shape: number[], data: Uint8Array): Buffer {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.length)]);
}

export async function writeSyntheticTrainingSet(
  options: SyntheticTrainingSetOptions,
): Promise<{ embryos: number; blastocysts: number }> {
  const { inputSize: S, framesPerSegment: K } = options;
  const imageSize = options.imageSize ?? 224;
  const planes = [...EXPORT_FOCAL_PLANES_UM];
  const F = planes.length;
  const outDir = resolve(options.outDir);
  const staging = join(dirname(outDir), `.${basename(outDir)}.partial`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'frames'), { recursive: true });
  const random = new SeededRandom(options.seed);
  const embryos: Array<{ id: string; patient: string; label: number; well: number }> = [];
  const plan = Array.from({ length: options.patients }, (_, p) => {
    const r = random.fork(`patient-${p}`);
    const n = r.integer(options.embryosPerPatient.min, options.embryosPerPatient.max);
    return { p, r, fates: shuffledFates(r, n) };
  });
  const total = plan.reduce((a, b) => a + b.fates.length, 0);
  const views = [csvLine(['embryo_id', 'segment', 'view', 'hpi'])];
  for (const { p, r, fates } of plan) {
    for (const [i, fate] of fates.entries()) {
      const story = drawStory(r.fork(`embryo-${i}`), fate);
      const id = `SYN-P${String(p + 1).padStart(3, '0')}-E${String(i + 1).padStart(2, '0')}`;
      const tB = story.events.find((e) => e.phase === 'tB')?.hpi;
      const pixels = new Uint8Array(SEGMENTS * K * F * S * S);
      const frameRandom = r.fork(`frames-${i}`);
      for (let k = 0; k < SEGMENTS; k++) {
        for (let v = 0; v < K; v++) {
          // stratified within the segment, so the K views cover its 6 hours
          const hpi = Math.max(0.5, 6 * k + (6 * (v + frameRandom.next())) / K);
          views.push(csvLine([id, k, v, hpi.toFixed(2)]));
          const image = rasterise(sceneAt(story, hpi), imageSize, story.layoutSeed + k * K + v + 1);
          await Promise.all(
            planes.map(async (plane, f) => {
              const values = await preprocessFrame(await encodePlane(image, imageSize, plane), S);
              const offset = ((k * K + v) * F + f) * S * S;
              for (let j = 0; j < values.length; j++) pixels[offset + j] = Math.round(values[j] * 255);
            }),
          );
        }
      }
      await writeFile(join(staging, 'frames', `${id}.npy`), uint8Npy([SEGMENTS, K, F, S, S], pixels));
      embryos.push({ id, patient: `patient-${p}`, label: tB !== undefined && tB < CULTURE_HOURS ? 1 : 0, well: i + 1 });
      options.onProgress?.(embryos.length, total);
    }
  }
  const group = (patient: string) =>
    createHash('sha256').update(`${options.seed}:${patient}`).digest('hex').slice(0, 16);
  const sizes = new Map<string, number>();
  for (const e of embryos) sizes.set(group(e.patient), (sizes.get(group(e.patient)) ?? 0) + 1);
  const fractions = options.fractions ?? { train: 0.8, val: 0.2, test: 0 };
  const assignment = splitByGroup(sizes, fractions, options.seed);
  const lines = [
    csvLine([...LABELS_CSV_COLUMNS]),
    ...embryos.map((e) =>
      csvLine([
        e.id,
        e.id,
        e.patient,
        e.well,
        group(e.patient),
        assignment.get(group(e.patient)),
        e.label,
        e.label ? 'BLASTOCYST' : 'NOT_BLASTOCYST',
        SEGMENTS,
        0,
        join('frames', `${e.id}.npy`),
      ]),
    ),
  ];
  await writeFile(join(staging, 'labels.csv'), lines.join('\n') + '\n');
  await writeFile(join(staging, 'views.csv'), views.join('\n') + '\n');
  const blastocysts = embryos.filter((e) => e.label).length;
  await writeFile(
    join(staging, 'manifest.json'),
    JSON.stringify(
      {
        synthetic: true,
        generator: 'src/demo/synthetic/training-set.ts',
        seed: options.seed,
        patients: options.patients,
        embryosPerPatient: options.embryosPerPatient,
        format: 'npy',
        dtype: 'uint8',
        planes,
        inputSize: S,
        framesPerSegment: K,
        imageSize,
        fractions,
        embryos: embryos.length,
        blastocysts,
      },
      null,
      2,
    ) + '\n',
  );
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return { embryos: embryos.length, blastocysts };
}
