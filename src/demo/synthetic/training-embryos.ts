import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvLine } from '../../inference/export/dataset-files';
import { preprocessFrame } from '../../inference/preprocess';
import { shuffledFates } from './demo-lab-plan';
import { drawStory, type DevelopmentStory } from './development-story';
import { sceneAt } from './embryo-scene';
import { EXPORT_FOCAL_PLANES_UM, encodePlane } from './focal-stack';
import { SeededRandom } from './random';
import { rasterise } from './raster';

/**
 * The embryos of a synthetic training set and how one of them is drawn: planning is cheap and pure,
 * so every worker thread plans the whole set from the seed and renders only its share. The bytes
 * written depend on the seed alone, never on how many workers drew them.
 */
export interface TrainingSetPlanOptions {
  seed: number;
  patients: number;
  embryosPerPatient: { min: number; max: number };
}

export interface TrainingEmbryo {
  /** Position in the set (labels.csv order). */
  index: number;
  id: string;
  patient: string;
  well: number;
  label: 0 | 1;
  story: DevelopmentStory;
  /** Seeds the acquisition times of this embryo's views. */
  frameSeed: number;
}

export interface RenderOptions {
  inputSize: number;
  framesPerSegment: number;
  imageSize: number;
}

export const TRAINING_SEGMENTS = 28;
const CULTURE_HOURS = TRAINING_SEGMENTS * 6;

export function planTrainingEmbryos(options: TrainingSetPlanOptions): TrainingEmbryo[] {
  const random = new SeededRandom(options.seed);
  const plan = Array.from({ length: options.patients }, (_, p) => {
    const r = random.fork(`patient-${p}`);
    const n = r.integer(options.embryosPerPatient.min, options.embryosPerPatient.max);
    return { p, r, fates: shuffledFates(r, n) };
  });
  const embryos: TrainingEmbryo[] = [];
  for (const { p, r, fates } of plan) {
    for (const [i, fate] of fates.entries()) {
      const story = drawStory(r.fork(`embryo-${i}`), fate);
      const tB = story.events.find((e) => e.phase === 'tB')?.hpi;
      embryos.push({
        index: embryos.length,
        id: `SYN-P${String(p + 1).padStart(3, '0')}-E${String(i + 1).padStart(2, '0')}`,
        patient: `patient-${p}`,
        well: i + 1,
        label: tB !== undefined && tB < CULTURE_HOURS ? 1 : 0,
        story,
        frameSeed: r.forkSeed(`frames-${i}`),
      });
    }
  }
  return embryos;
}

/** uint8 .npy (numpy reads it; the trainer divides by 255), C order. */
function uint8Npy(shape: number[], data: Uint8Array): Buffer {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.length)]);
}

/**
 * Draws one embryo's K views per 6 h segment through the lab's own path (raster → focal-plane
 * JPEG → the scoring worker's preprocessing, so training and scoring see the same pixels):
 * uint8 pixels [segments, K, planes, S, S] and its views.csv lines.
 */
export async function drawTrainingEmbryo(
  embryo: TrainingEmbryo,
  options: RenderOptions,
  /** Only the first segments (a culture still running); the training set draws all 28. */
  segments = TRAINING_SEGMENTS,
): Promise<{ pixels: Uint8Array; views: string[] }> {
  const { inputSize: S, framesPerSegment: K, imageSize } = options;
  const planes = EXPORT_FOCAL_PLANES_UM;
  const F = planes.length;
  const pixels = new Uint8Array(segments * K * F * S * S);
  const frameRandom = new SeededRandom(embryo.frameSeed);
  const views: string[] = [];
  // One view's planes are encoded and decoded on libuv's threads while this thread rasterises the
  // next view: two views in flight keep both cores busy. Each view writes its own slice of `pixels`.
  let inFlight: Promise<unknown> = Promise.resolve();
  for (let k = 0; k < segments; k++) {
    for (let v = 0; v < K; v++) {
      // stratified within the segment, so the K views cover its 6 hours
      const hpi = Math.max(0.5, 6 * k + (6 * (v + frameRandom.next())) / K);
      views.push(csvLine([embryo.id, k, v, hpi.toFixed(2)]));
      const image = rasterise(sceneAt(embryo.story, hpi), imageSize, embryo.story.layoutSeed + k * K + v + 1);
      const view = k * K + v;
      const planesDone = Promise.all(
        planes.map(async (plane, f) => {
          const values = await preprocessFrame(await encodePlane(image, imageSize, plane), S);
          const offset = (view * F + f) * S * S;
          for (let j = 0; j < values.length; j++) pixels[offset + j] = Math.round(values[j] * 255);
        }),
      );
      await inFlight;
      inFlight = planesDone;
    }
  }
  await inFlight;
  return { pixels, views };
}

/** Draws one embryo, writes frames/<id>.npy under `dir` and answers its views.csv lines. */
export async function renderTrainingEmbryo(
  embryo: TrainingEmbryo,
  options: RenderOptions,
  dir: string,
): Promise<string[]> {
  const { pixels, views } = await drawTrainingEmbryo(embryo, options);
  const shape = [
    TRAINING_SEGMENTS,
    options.framesPerSegment,
    EXPORT_FOCAL_PLANES_UM.length,
    options.inputSize,
    options.inputSize,
  ];
  await writeFile(join(dir, 'frames', `${embryo.id}.npy`), uint8Npy(shape, pixels));
  return views;
}
