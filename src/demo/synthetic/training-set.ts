import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { csvLine, LABELS_CSV_COLUMNS } from '../../inference/export/dataset-files';
import { splitByGroup, type SplitFractions } from '../../inference/export/dataset-split';
import { EXPORT_FOCAL_PLANES_UM } from './focal-stack';
import {
  planTrainingEmbryos,
  renderTrainingEmbryo,
  TRAINING_SEGMENTS,
  type RenderOptions,
  type TrainingSetPlanOptions,
} from './training-embryos';

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

/** Bumped whenever the same seed would draw different pixels, so a cached set is not reused. */
export const TRAINING_SET_GENERATOR_VERSION = 1;

export async function writeSyntheticTrainingSet(
  options: SyntheticTrainingSetOptions,
): Promise<{ embryos: number; blastocysts: number }> {
  const render: RenderOptions = {
    inputSize: options.inputSize,
    framesPerSegment: options.framesPerSegment,
    imageSize: options.imageSize ?? 224,
  };
  const plan: TrainingSetPlanOptions = {
    seed: options.seed,
    patients: options.patients,
    embryosPerPatient: { ...options.embryosPerPatient },
  };
  const outDir = resolve(options.outDir);
  const staging = join(dirname(outDir), `.${basename(outDir)}.partial`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'frames'), { recursive: true });
  const embryos = planTrainingEmbryos(plan);
  // libvips already keeps both cores busy with the seven planes of a view: one embryo at a time.
  const views: string[][] = [];
  try {
    for (const embryo of embryos) {
      views.push(await renderTrainingEmbryo(embryo, render, staging));
      options.onProgress?.(views.length, embryos.length);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
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
        TRAINING_SEGMENTS,
        0,
        join('frames', `${e.id}.npy`),
      ]),
    ),
  ];
  await writeFile(join(staging, 'labels.csv'), lines.join('\n') + '\n');
  const viewLines = [csvLine(['embryo_id', 'segment', 'view', 'hpi']), ...views.flat()];
  await writeFile(join(staging, 'views.csv'), viewLines.join('\n') + '\n');
  const blastocysts = embryos.filter((e) => e.label).length;
  await writeFile(
    join(staging, 'manifest.json'),
    JSON.stringify(
      {
        synthetic: true,
        generator: 'src/demo/synthetic/training-set.ts',
        generatorVersion: TRAINING_SET_GENERATOR_VERSION,
        seed: options.seed,
        patients: options.patients,
        embryosPerPatient: options.embryosPerPatient,
        format: 'npy',
        dtype: 'uint8',
        planes: [...EXPORT_FOCAL_PLANES_UM],
        inputSize: render.inputSize,
        framesPerSegment: render.framesPerSegment,
        imageSize: render.imageSize,
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
