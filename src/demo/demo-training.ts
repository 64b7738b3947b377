/**
 * How the demo's trained model is made (`npm run train:demo`): a synthetic training set drawn from
 * its own seed (never the demo lab's embryos), and the trainer's recipe at a size that 2 CPU cores
 * train in about half an hour on an idle machine. Changing anything here changes the shipped weights: rerun
 * train:demo and commit models/demo/.
 */
export const DEMO_TRAINING_SET = {
  seed: 20_251_201,
  patients: 50,
  embryosPerPatient: { min: 4, max: 6 },
  inputSize: 64,
  framesPerSegment: 2,
  fractions: { train: 0.8, val: 0.2, test: 0 },
} as const;

export const DEMO_TRAINING_RECIPE = {
  variant: 'amsnet',
  width: 8,
  blocks: [1, 1, 1, 1] as [number, number, number, number],
  inputSize: 64,
  epochs: 8,
  batchSize: 4,
  lr: 0.008,
  patience: 3,
  seed: 1,
  threads: 2,
} as const;

/** Where the shipped demo model lives, relative to the repository root. */
export const DEMO_MODEL_DIR = 'models/demo';
