import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ModelVersion, type ModelVariant } from '../../src/entities';
import { buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import { decodeModel, encodeModel } from '../../src/inference/onnx/onnx-proto';

/**
 * Model factories for the registry and evaluation tests. `tinyModel` builds a real ONNX file with
 * the project's builder (width 8, blocks [1,1,1,1], 32×32: milliseconds); `insertModelVersion`
 * writes a model_version row directly, for tests about activation and evaluation that never run it.
 */
export async function tinyModel(
  opts: { variant?: ModelVariant; planes?: number[]; seed?: number } = {},
): Promise<Uint8Array> {
  const built = await buildAmsnetModel({
    variant: opts.variant ?? 'tsm',
    planes: opts.planes ?? [-15, 0, 15],
    width: 8,
    blocks: [1, 1, 1, 1],
    inputSize: 32,
    seed: opts.seed ?? 1,
  });
  return built.onnx;
}

/** The same ONNX graph with its metadata_props removed: a "foreign" file that states no contract. */
export function withoutMetadata(onnx: Uint8Array): Uint8Array {
  const model = decodeModel(onnx);
  return encodeModel({ ...model, metadataProps: [] });
}

export async function insertModelVersion(
  ds: DataSource,
  over: Partial<Pick<ModelVersion, 'name' | 'version' | 'variant' | 'planes' | 'trained'>> & { onnx?: Uint8Array } = {},
): Promise<ModelVersion> {
  const bytes = over.onnx ? Buffer.from(over.onnx) : randomBytes(32);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const planes = over.planes ?? [0];
  const [row] = await ds.query(
    `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
     VALUES ($1, $2, $3, $4, $5, 32, $6, $7, $8, $9) RETURNING id`,
    [
      over.name ?? `m-${sha256.slice(0, 6)}`,
      over.version ?? '1',
      sha256,
      over.variant ?? 'tsm',
      planes,
      JSON.stringify({ contractVersion: 1 }),
      over.trained ?? true,
      bytes,
      bytes.length,
    ],
  );
  return await ds.getRepository(ModelVersion).findOneByOrFail({ id: row.id });
}

/** Stores a model's predictions for an embryo: `probabilities[k]` at segment k (null = not scored). */
export async function insertPredictions(
  ds: DataSource,
  embryoId: string,
  modelVersionId: string,
  probabilities: Array<number | null>,
): Promise<void> {
  for (let segment = 0; segment < probabilities.length; segment++) {
    const p = probabilities[segment];
    if (p === null) continue;
    await ds.query(
      `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability, inputs) VALUES ($1, $2, $3, $4, $5, '{}')`,
      [embryoId, modelVersionId, segment, 6 * (segment + 1), p],
    );
  }
}
