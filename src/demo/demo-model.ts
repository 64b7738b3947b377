import type { ClinicGrant, ModelRegistrationGrant } from '../auth/grants';
import type { ModelVersion } from '../entities';
import { buildAmsnetModel } from '../inference/amsnet/build-model';
import type { ModelRegistryService } from '../inference/registry/model-registry.service';
import { EXPORT_FOCAL_PLANES_UM } from './synthetic';

/**
 * The model the demo scores with: the paper's AMSNet graph over the export's 7 focal planes,
 * built by the project with seeded random weights — registered as untrained, so every answer
 * that carries its numbers says so. Reduced from the paper's size (width 64, 224 px) to width 16
 * and 128 px so that a laptop CPU scores the demo lab in about a minute: the same ResNet-50 depth
 * (blocks [3,4,6,3]) and graph, a quarter of the channels (measured: 4.2 s for 4 embryos × 19
 * segments × 7 planes on 2 busy cores; blocks [1,1,1,1] saved only a third of that).
 */
export interface DemoModelSpec {
  width: number;
  blocks: [number, number, number, number];
  inputSize: number;
  seed: number;
}

export const DEMO_MODEL: DemoModelSpec = { width: 16, blocks: [3, 4, 6, 3], inputSize: 128, seed: 1 };

export function demoModelVersion(spec: DemoModelSpec): string {
  return `untrained-w${spec.width}-b${spec.blocks.join('')}-s${spec.inputSize}-seed${spec.seed}`;
}

/** Builds the demo model (no database): done first, so a bad size fails before anything is written. */
export async function buildDemoModel(spec: DemoModelSpec): Promise<Uint8Array> {
  const built = await buildAmsnetModel({
    variant: 'amsnet',
    planes: [...EXPORT_FOCAL_PLANES_UM],
    width: spec.width,
    blocks: spec.blocks,
    inputSize: spec.inputSize,
    seed: spec.seed,
  });
  return built.onnx;
}

/** Registers the built model (the registry checks its contract by running it) and activates it for the clinic. */
export async function installDemoModel(
  registry: ModelRegistryService,
  onnx: Uint8Array,
  spec: DemoModelSpec,
  grants: { registration: ModelRegistrationGrant; clinic: ClinicGrant },
): Promise<ModelVersion> {
  const { model } = await registry.register(
    onnx,
    { name: 'amsnet-demo', version: demoModelVersion(spec), trained: false },
    grants.registration,
  );
  await registry.activate(model.id, grants.clinic);
  return model;
}
