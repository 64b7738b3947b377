import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { TrainerEvent } from '../inference/training/python-trainer';
import { trainModel, type TrainedModel } from '../inference/training/train-model';
import { DEMO_MODEL_DIR, DEMO_TRAINING_RECIPE, DEMO_TRAINING_SET } from './demo-training';
import { TRAINING_SET_GENERATOR_VERSION, writeSyntheticTrainingSet } from './synthetic/training-set';

/**
 * `npm run train:demo`: draws the synthetic training set from its seed (reused when one with the same
 * settings is already there), trains the demo model with the recipe of demo-training.ts and copies
 * weights and manifest to models/demo/, which `amsnet demo` registers.
 */
export async function trainDemoModel(
  repoRoot: string,
  log: (line: string) => void,
  onEvent: (e: TrainerEvent) => void,
): Promise<TrainedModel> {
  const work = join(repoRoot, '.tmp');
  const datasetDir = join(work, 'demo-training-set');
  const wanted = { ...DEMO_TRAINING_SET, embryosPerPatient: { ...DEMO_TRAINING_SET.embryosPerPatient } };
  const existing = await readFile(join(datasetDir, 'manifest.json'), 'utf8')
    .then(
      (t) =>
        JSON.parse(t) as {
          seed: number;
          inputSize: number;
          framesPerSegment: number;
          patients?: number;
          generatorVersion?: number;
        },
    )
    .catch(() => null);
  const reusable =
    existing &&
    existing.seed === wanted.seed &&
    existing.inputSize === wanted.inputSize &&
    existing.framesPerSegment === wanted.framesPerSegment &&
    existing.patients === wanted.patients &&
    // sets drawn before the generator had a version are version 1
    (existing.generatorVersion ?? 1) === TRAINING_SET_GENERATOR_VERSION;
  if (!reusable) {
    log(`drawing the synthetic training set (seed ${wanted.seed}, ${wanted.patients} patients)…`);
    const started = Date.now();
    const made = await writeSyntheticTrainingSet({
      outDir: datasetDir,
      ...wanted,
      fractions: { ...wanted.fractions },
      onProgress: (done, total) => done % 25 === 0 && log(`  ${done}/${total} embryos`),
    });
    log(
      `  ${made.embryos} embryos (${made.blastocysts} blastocysts) in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  } else log(`reusing the synthetic training set in ${datasetDir}`);
  const out = join(work, 'demo-training-run');
  await rm(out, { recursive: true, force: true });
  const r = DEMO_TRAINING_RECIPE;
  const trained = await trainModel(
    {
      dataset: datasetDir,
      out,
      variant: r.variant,
      width: r.width,
      blocks: [...r.blocks],
      inputSize: r.inputSize,
      epochs: r.epochs,
      batchSize: r.batchSize,
      lr: r.lr,
      patience: r.patience,
      seed: r.seed,
      threads: r.threads,
    },
    onEvent,
  );
  const target = resolve(repoRoot, DEMO_MODEL_DIR);
  await mkdir(target, { recursive: true });
  await copyFile(join(out, 'weights.safetensors'), join(target, 'weights.safetensors'));
  // The shipped manifest names the training set relative to the repository, not this machine's path.
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { dataset: { path: string } };
  manifest.dataset.path = relative(repoRoot, manifest.dataset.path);
  await writeFile(join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`demo model written to ${target}`);
  return trained;
}
