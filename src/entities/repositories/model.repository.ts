import type { EntityManager } from 'typeorm';
import { ClinicGovernance } from '../clinic-governance.entity';
import { ClinicModel } from '../clinic-model.entity';
import { ModelVersion } from '../model-version.entity';
import type { ClinicScope } from './clinic-scope';
import { entityFromRow, selectList } from './entity-rows';
import { refusingDuplicates } from './duplicate-record';

export type NewModelVersion = Pick<
  ModelVersion,
  'name' | 'version' | 'sha256' | 'variant' | 'planes' | 'inputSize' | 'contract' | 'trained' | 'onnx' | 'createdBy'
> &
  Partial<Pick<ModelVersion, 'provenance' | 'synthetic' | 'trainingManifest' | 'weightsSha256'>>;

/** What showing a clinic's scores needs: its enabled models (newest first) and its oversight settings. */
export interface ClinicScoringSetup {
  models: ClinicModel[];
  /** Null: every setting off (no row). */
  governance: ClinicGovernance | null;
}

/**
 * What reads a clinic's scoring setup beside other rows in one statement: the columns (prefixed
 * `cm.`, `mv.`, `g.`), the joins on `clinicId` (an SQL expression) and the order of the models.
 * The settings are read whatever the scope, like GovernanceRepository.settingsOf (the kill switch
 * binds everyone); the models only within the scope given as $1 (all) and $2 (clinic ids).
 */
export function scoringSetupSql(m: EntityManager, clinicId: string): { columns: string; joins: string; order: string } {
  return {
    columns: [
      selectList(m, ClinicModel, 'cm', 'cm.'),
      selectList(m, ModelVersion, 'mv', 'mv.'),
      selectList(m, ClinicGovernance, 'g', 'g.'),
    ].join(', '),
    joins: `LEFT JOIN clinic_governance g ON g.clinic_id = ${clinicId}
      LEFT JOIN (clinic_model cm JOIN model_version mv ON mv.id = cm.model_version_id)
        ON cm.clinic_id = ${clinicId} AND ($1::boolean OR cm.clinic_id = ANY($2::uuid[]))`,
    order: 'mv.created_at DESC, cm.id',
  };
}

/** Adds a row read with `scoringSetupSql` to the setup kept under `key` (created with the row's settings). */
export function collectScoringSetup(
  setups: Map<string, ClinicScoringSetup>,
  key: string,
  row: Record<string, unknown>,
): ClinicScoringSetup {
  let setup = setups.get(key);
  if (!setup) {
    setup = { models: [], governance: entityFromRow(ClinicGovernance, row, 'g.', 'clinicId') };
    setups.set(key, setup);
  }
  const clinicModel = entityFromRow(ClinicModel, row, 'cm.');
  if (clinicModel) {
    clinicModel.modelVersion = entityFromRow(ModelVersion, row, 'mv.')!;
    setup.models.push(clinicModel);
  }
  return setup;
}

/**
 * Model versions and their use per clinic (clinic_model: active, shadow). The entity marks `onnx`
 * select: false, so every read here but `onnxOf` leaves the ONNX bytes (up to hundreds of MB) alone.
 */
export class ModelRepository {
  constructor(private readonly m: EntityManager) {}

  byId(id: string): Promise<ModelVersion | null> {
    return this.m.getRepository(ModelVersion).findOne({ where: { id } });
  }

  bySha256(sha256: string): Promise<ModelVersion | null> {
    return this.m.getRepository(ModelVersion).findOne({ where: { sha256 } });
  }

  byNameVersion(name: string, version: string): Promise<ModelVersion | null> {
    return this.m.getRepository(ModelVersion).findOne({ where: { name, version } });
  }

  /** Every version, newest first. */
  list(): Promise<ModelVersion[]> {
    return this.m.getRepository(ModelVersion).find({ order: { createdAt: 'DESC', name: 'ASC', version: 'ASC' } });
  }

  /** The ONNX bytes of a version with what loading them needs (never read by the other queries). */
  async onnxOf(id: string): Promise<{ onnx: Buffer; sha256: string; contract: Record<string, unknown> } | null> {
    const rows: Array<{ onnx: Buffer; sha256: string; contract: Record<string, unknown> }> = await this.m.query(
      `SELECT onnx, sha256, contract FROM model_version WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Inserts unless a version with the same bytes exists (then returns null): a concurrent registration
   * of the same file loses the race quietly instead of failing on the unique key. A name and version
   * that exist with other bytes throw DuplicateRecordError.
   */
  insertIfNewSha256(row: NewModelVersion): Promise<string | null> {
    return refusingDuplicates(['uq_model_version_name_version'], async () => {
      const rows: Array<{ id: string }> = await this.m.query(
        `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes, created_by,
                                    provenance, synthetic, training_manifest, weights_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (sha256) DO NOTHING
         RETURNING id`,
        [
          row.name,
          row.version,
          row.sha256,
          row.variant,
          row.planes,
          row.inputSize,
          JSON.stringify(row.contract),
          row.trained,
          row.onnx,
          row.onnx.length,
          row.createdBy,
          row.provenance ?? (row.trained ? 'imported' : 'random'),
          row.synthetic ?? false,
          row.trainingManifest ? JSON.stringify(row.trainingManifest) : null,
          row.weightsSha256 ?? null,
        ],
      );
      return rows[0]?.id ?? null;
    });
  }

  // ---- clinic_model --------------------------------------------------------------------------

  clinicModel(clinicId: string, modelVersionId: string): Promise<ClinicModel | null> {
    return this.m.getRepository(ClinicModel).findOne({ where: { clinicId, modelVersionId } });
  }

  /** The clinic's active model, with its version (no ONNX bytes); null when it has none. */
  activeClinicModel(clinicId: string): Promise<ClinicModel | null> {
    return this.m
      .getRepository(ClinicModel)
      .findOne({ where: { clinicId, active: true }, relations: { modelVersion: true } });
  }

  /** The clinic's shadow (silent-mode) row of the model, if the model is one. */
  shadowClinicModel(clinicId: string, modelVersionId: string): Promise<ClinicModel | null> {
    return this.m.getRepository(ClinicModel).findOne({ where: { clinicId, modelVersionId, shadow: true } });
  }

  /** Whether the clinic scores this model: it is the active one or a shadow one. */
  clinicScoresModel(clinicId: string, modelVersionId: string): Promise<boolean> {
    return this.m
      .getRepository(ClinicModel)
      .createQueryBuilder('cm')
      .where('cm.clinic_id = :clinicId AND cm.model_version_id = :modelVersionId AND (cm.active OR cm.shadow)', {
        clinicId,
        modelVersionId,
      })
      .getExists();
  }

  /** Clinic rows, oldest first, of some clinics and/or one model. */
  clinicModels(filter: { clinicIds?: string[]; modelVersionId?: string } = {}): Promise<ClinicModel[]> {
    const q = this.m.getRepository(ClinicModel).createQueryBuilder('cm').orderBy('cm.created_at', 'ASC');
    if (filter.clinicIds) q.andWhere('cm.clinic_id = ANY(:clinicIds)', { clinicIds: filter.clinicIds });
    if (filter.modelVersionId)
      q.andWhere('cm.model_version_id = :modelVersionId', { modelVersionId: filter.modelVersionId });
    return q.getMany();
  }

  /**
   * Models enabled for several clinics of a scope (active, shadow and plain) with their versions,
   * newest first, and the clinics' oversight settings (as GovernanceRepository.settingsOf) in one
   * statement: every view that shows a score needs both, and each statement is a round trip and
   * ~0.3 ms of the API's CPU (bench:api).
   */
  async scoringSetupOf(scope: ClinicScope, clinicIds: readonly string[]): Promise<Map<string, ClinicScoringSetup>> {
    const setup = scoringSetupSql(this.m, 'c.id');
    const rows: Array<Record<string, unknown>> = await this.m.query(
      `SELECT c.id AS "setup.clinicId", ${setup.columns} FROM unnest($3::uuid[]) AS c(id) ${setup.joins}
       ORDER BY c.id, ${setup.order}`,
      [scope.all, scope.clinicIds, clinicIds],
    );
    const setups = new Map<string, ClinicScoringSetup>();
    for (const row of rows) collectScoringSetup(setups, row['setup.clinicId'] as string, row);
    return setups;
  }

  /** Every clinic with an active model, and every (clinic, shadow model) pair: what the nightly tick scores. */
  async scoredModels(): Promise<{ active: string[]; shadows: Array<{ clinicId: string; modelVersionId: string }> }> {
    const rows = await this.m
      .getRepository(ClinicModel)
      .createQueryBuilder('cm')
      .where('cm.active OR cm.shadow')
      .orderBy('cm.clinic_id')
      .addOrderBy('cm.model_version_id')
      .getMany();
    return {
      active: rows.filter((r) => r.active).map((r) => r.clinicId),
      shadows: rows.filter((r) => r.shadow).map((r) => ({ clinicId: r.clinicId, modelVersionId: r.modelVersionId })),
    };
  }

  /** Clears `active` on every other model of the clinic (call with the clinic locked). */
  async deactivateOthers(clinicId: string, keepModelVersionId: string): Promise<void> {
    await this.m.query(
      `UPDATE clinic_model SET active = false WHERE clinic_id = $1 AND active AND model_version_id <> $2`,
      [clinicId, keepModelVersionId],
    );
  }

  /** Creates or updates the (clinic, model) row with the given flags. */
  async upsertClinicModel(row: {
    clinicId: string;
    modelVersionId: string;
    active: boolean;
    shadow: boolean;
    activatedBy?: string | null;
  }): Promise<void> {
    await this.m.query(
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
}
