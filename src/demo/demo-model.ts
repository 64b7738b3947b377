import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ClinicGrant, ModelRegistrationGrant } from '../auth/grants';
import type { ModelVersion } from '../entities';
import { buildAmsnetModel, sha256Hex } from '../inference/amsnet/build-model';
import type { ModelProvenance } from '../inference/provenance';
import type { ModelRegistryService } from '../inference/registry/model-registry.service';
import type { TrainingManifest } from '../inference/training/train-model';
import { provenanceFromManifest } from '../inference/training/training-manifest';
import { DEMO_MODEL_DIR, DEMO_TRAINING_RECIPE } from './demo-training';
import { EXPORT_FOCAL_PLANES_UM } from './synthetic';

/**
 * The model the demo scores with: the paper's AMSNet graph over the export's 7 focal planes,
 * trained by the project's trainer on a separately seeded synthetic training set
 * (`npm run train:demo`, weights and manifest in models/demo/) and registered as trained on
 * synthetic data, so every answer that carries its numbers says it is not for clinical use.
 * Reduced from the paper's size (width 64, blocks [3,4,6,3], 224 px) to width 8, one block per
 * stage and 64 px so that 2 CPU cores train it in about half an hour and score the lab in seconds.
 * Another size (--model-width, --model-input-size) has no trained weights: it is built with seeded
 * random weights and registered as untrained.
 */
export interface DemoModelSpec {
  width: number;
  blocks: [number, number, number, number];
  inputSize: number;
  /** Seed of the random weights when no trained weights fit the size. */
  seed: number;
}

export const DEMO_MODEL: DemoModelSpec = {
  width: DEMO_TRAINING_RECIPE.width,
  blocks: [...DEMO_TRAINING_RECIPE.blocks],
  inputSize: DEMO_TRAINING_RECIPE.inputSize,
  seed: 1,
};

export interface DemoModel {
  onnx: Uint8Array;
  /** Set when the shipped trained weights were used. */
  provenance: ModelProvenance | null;
}

/** models/demo/, from src/ or dist/src/. */
function shippedModelDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, DEMO_MODEL_DIR);
    if (existsSync(join(candidate, 'weights.safetensors'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** The shipped weights and manifest when they fit `spec`, else null. */
export function shippedDemoWeights(spec: DemoModelSpec): { weights: Buffer; manifest: TrainingManifest } | null {
  const dir = shippedModelDir();
  if (!dir) return null;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as TrainingManifest;
  const m = manifest.model;
  const fits =
    m.variant === 'amsnet' &&
    m.width === spec.width &&
    m.inputSize === spec.inputSize &&
    m.blocks.join(',') === spec.blocks.join(',') &&
    m.planes.join(',') === EXPORT_FOCAL_PLANES_UM.join(',');
  return fits ? { weights: readFileSync(join(dir, 'weights.safetensors')), manifest } : null;
}

export function demoModelVersion(spec: DemoModelSpec, weightsSha256?: string | null): string {
  const size = `w${spec.width}-b${spec.blocks.join('')}-s${spec.inputSize}`;
  return weightsSha256 ? `synthetic-${size}-${weightsSha256.slice(0, 12)}` : `untrained-${size}-seed${spec.seed}`;
}

/** Builds the demo model (no database): done first, so a bad size fails before anything is written. */
export async function buildDemoModel(spec: DemoModelSpec): Promise<DemoModel> {
  const shipped = shippedDemoWeights(spec);
  const built = await buildAmsnetModel({
    variant: 'amsnet',
    planes: [...EXPORT_FOCAL_PLANES_UM],
    width: spec.width,
    blocks: spec.blocks,
    inputSize: spec.inputSize,
    seed: spec.seed,
    weights: shipped?.weights,
  });
  if (!shipped) return { onnx: built.onnx, provenance: null };
  const provenance = provenanceFromManifest(shipped.manifest);
  return {
    onnx: built.onnx,
    provenance: {
      kind: 'trained',
      synthetic: true,
      manifest: provenance.manifest ?? null,
      weightsSha256: sha256Hex(shipped.weights),
    },
  };
}

/** Registers the built model (the registry checks its contract by running it) and activates it for the clinic. */
export async function installDemoModel(
  registry: ModelRegistryService,
  model: DemoModel,
  spec: DemoModelSpec,
  grants: { registration: ModelRegistrationGrant; clinic: ClinicGrant },
): Promise<ModelVersion> {
  const { model: version } = await registry.register(
    model.onnx,
    model.provenance
      ? {
          name: 'amsnet-demo',
          version: demoModelVersion(spec, model.provenance.weightsSha256),
          trained: true,
          provenance: model.provenance,
        }
      : { name: 'amsnet-demo', version: demoModelVersion(spec), trained: false },
    grants.registration,
  );
  await registry.activate(version.id, grants.clinic);
  return version;
}
