import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BUILDER_METADATA_KEY, buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import { decodeModel, encodeModel } from '../../src/inference/onnx/onnx-proto';
import type { Clinic } from '../../src/entities';

/**
 * Tiny AMSNet models (width 8, blocks [1,1,1,1], 32×32 input) built by the real builder, and their
 * registration straight into model_version/clinic_model (the registry service is not under test here).
 */
const built = new Map<string, Promise<Uint8Array>>();

export function tinyModel(
  planes: number[] = [-15, 0, 15],
  seed = 1,
  variant: 'amsnet' | 'tsm' = 'amsnet',
): Promise<Uint8Array> {
  const key = `${variant}:${planes.join(',')}:${seed}`;
  let model = built.get(key);
  if (!model) {
    model = buildAmsnetModel({ variant, planes, width: 8, blocks: [1, 1, 1, 1], inputSize: 32, seed }).then(
      (m) => m.onnx,
    );
    built.set(key, model);
  }
  return model;
}

/** Inserts a model version (contract as stated) and makes it the clinic's active model; returns its id. */
export async function registerActiveModel(
  ds: DataSource,
  clinic: Clinic,
  onnx: Uint8Array,
  contract: { planes: number[]; inputSize?: number; variant?: string } = { planes: [-15, 0, 15] },
): Promise<string> {
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const [existing] = await ds.query(`SELECT id FROM model_version WHERE sha256 = $1`, [sha256]);
  const modelId: string =
    existing?.id ??
    (
      await ds.query(
        `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9) RETURNING id`,
        [
          `tiny-${sha256.slice(0, 8)}`,
          '1',
          sha256,
          contract.variant ?? 'amsnet',
          contract.planes,
          contract.inputSize ?? 32,
          JSON.stringify({ contractVersion: 1, focalPlanesUm: contract.planes }),
          Buffer.from(onnx),
          onnx.length,
        ],
      )
    )[0].id;
  await ds.query(`UPDATE clinic_model SET active = false WHERE clinic_id = $1 AND active`, [clinic.id]);
  await ds.query(
    `INSERT INTO clinic_model (clinic_id, model_version_id, active, activated_at) VALUES ($1, $2, true, now())
     ON CONFLICT (clinic_id, model_version_id) DO UPDATE SET active = true`,
    [clinic.id, modelId],
  );
  return modelId;
}

/**
 * The same network as a "foreign" file: without the builder's record, so it cannot stream and is
 * scored as whole sequences (same weights, so the same probabilities).
 */
export async function withoutBuilderRecord(onnx: Uint8Array): Promise<Uint8Array> {
  const model = decodeModel(onnx);
  model.metadataProps = (model.metadataProps ?? []).filter((p) => p.key !== BUILDER_METADATA_KEY);
  return encodeModel(model);
}
