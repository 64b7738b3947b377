import type { EntityManager } from 'typeorm';
import { ClinicModel, ModelVersion } from '../../entities';

/**
 * The registry's SQL, and nothing else. Every function takes the EntityManager of the caller's
 * transaction, so a service can lock, read and write in one unit.
 */

// The entity marks `onnx` select: false, so these reads never load the ONNX bytes (up to hundreds
// of MB); `readOnnx` fetches them on purpose.

export function findModelById(m: EntityManager, id: string): Promise<ModelVersion | null> {
  return m.getRepository(ModelVersion).findOne({ where: { id } });
}

export function findModelBySha256(m: EntityManager, sha256: string): Promise<ModelVersion | null> {
  return m.getRepository(ModelVersion).findOne({ where: { sha256 } });
}

export function findModelByNameVersion(m: EntityManager, name: string, version: string): Promise<ModelVersion | null> {
  return m.getRepository(ModelVersion).findOne({ where: { name, version } });
}

export function listModels(m: EntityManager): Promise<ModelVersion[]> {
  return m.getRepository(ModelVersion).find({ order: { createdAt: 'DESC', name: 'ASC', version: 'ASC' } });
}

export async function readOnnx(m: EntityManager, id: string): Promise<Buffer | null> {
  const rows: Array<{ onnx: Buffer }> = await m.query(`SELECT onnx FROM model_version WHERE id = $1`, [id]);
  return rows[0]?.onnx ?? null;
}

export type NewModelVersion = Pick<ModelVersion, 'name' | 'version' | 'sha256' | 'variant' | 'planes' | 'inputSize' | 'contract' | 'trained' | 'onnx' | 'createdBy'>;

/**
 * Inserts unless a version with the same bytes exists (then returns null): a concurrent registration
 * of the same file loses the race quietly instead of failing on the unique key.
 */
export async function insertModelIfNewSha256(m: EntityManager, row: NewModelVersion): Promise<string | null> {
  const rows: Array<{ id: string }> = await m.query(
    `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (sha256) DO NOTHING
     RETURNING id`,
    [row.name, row.version, row.sha256, row.variant, row.planes, row.inputSize, JSON.stringify(row.contract), row.trained, row.onnx, row.onnx.length, row.createdBy],
  );
  return rows[0]?.id ?? null;
}

/**
 * Locks the clinic row for the rest of the transaction. Every change of a clinic's model set takes
 * this lock first, so concurrent activations of one clinic run one after the other instead of
 * colliding on the one-active index. Returns false if the clinic does not exist.
 */
export async function lockClinic(m: EntityManager, clinicId: string): Promise<boolean> {
  const rows: unknown[] = await m.query(`SELECT id FROM clinic WHERE id = $1 FOR UPDATE`, [clinicId]);
  return rows.length === 1;
}

export function findClinicModel(m: EntityManager, clinicId: string, modelVersionId: string): Promise<ClinicModel | null> {
  return m.getRepository(ClinicModel).findOne({ where: { clinicId, modelVersionId } });
}

export function findActiveClinicModel(m: EntityManager, clinicId: string): Promise<ClinicModel | null> {
  return m.getRepository(ClinicModel).findOne({ where: { clinicId, active: true } });
}

export function listClinicModels(m: EntityManager, filter: { clinicIds?: string[]; modelVersionId?: string } = {}): Promise<ClinicModel[]> {
  const q = m.getRepository(ClinicModel).createQueryBuilder('cm').orderBy('cm.created_at', 'ASC');
  if (filter.clinicIds) q.andWhere('cm.clinic_id = ANY(:clinicIds)', { clinicIds: filter.clinicIds });
  if (filter.modelVersionId) q.andWhere('cm.model_version_id = :modelVersionId', { modelVersionId: filter.modelVersionId });
  return q.getMany();
}

/** Clears `active` on every other model of the clinic (call with the clinic locked). */
export async function deactivateOthers(m: EntityManager, clinicId: string, keepModelVersionId: string): Promise<void> {
  await m.query(`UPDATE clinic_model SET active = false WHERE clinic_id = $1 AND active AND model_version_id <> $2`, [clinicId, keepModelVersionId]);
}

/** Creates or updates the (clinic, model) row with the given flags. */
export async function upsertClinicModel(
  m: EntityManager,
  row: { clinicId: string; modelVersionId: string; active: boolean; shadow: boolean; activatedBy?: string | null },
): Promise<void> {
  await m.query(
    `INSERT INTO clinic_model (clinic_id, model_version_id, active, shadow, activated_at, activated_by)
     VALUES ($1, $2, $3, $4, CASE WHEN $3 THEN now() END, CASE WHEN $3 THEN $5::uuid END)
     ON CONFLICT (clinic_id, model_version_id) DO UPDATE SET
       active = EXCLUDED.active,
       shadow = EXCLUDED.shadow,
       activated_at = COALESCE(EXCLUDED.activated_at, clinic_model.activated_at),
       activated_by = CASE WHEN EXCLUDED.active THEN EXCLUDED.activated_by ELSE clinic_model.activated_by END`,
    [row.clinicId, row.modelVersionId, row.active, row.shadow, row.activatedBy ?? null],
  );
}
