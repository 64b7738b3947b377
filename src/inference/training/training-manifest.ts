import { readFile } from 'node:fs/promises';
import { UserError } from '../../platform/errors';
import type { ModelProvenance } from '../provenance';
import type { TrainingManifest } from './train-model';

/** Reads the manifest.json that `amsnet train` writes, refusing anything else with one line. */
export async function readTrainingManifest(path: string): Promise<TrainingManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UserError(
      `cannot read the training manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const m = parsed as Partial<TrainingManifest> | null;
  if (!m || m.kind !== 'amsnet-training' || typeof m.model !== 'object' || typeof m.dataset !== 'object')
    throw new UserError(`${path} is not a training manifest of amsnet train (kind "amsnet-training")`);
  return m as TrainingManifest;
}

/** The provenance a model trained by `amsnet train` is registered with. */
export function provenanceFromManifest(manifest: TrainingManifest): Partial<ModelProvenance> {
  return {
    kind: 'trained',
    synthetic: manifest.dataset.synthetic === true,
    manifest: manifest as unknown as Record<string, unknown>,
    weightsSha256: manifest.weightsSha256 ?? null,
  };
}
