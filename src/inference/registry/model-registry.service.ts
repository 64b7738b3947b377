import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';
import { MODEL_VARIANTS, type ClinicModel, type ModelVariant, type ModelVersion } from '../../entities';
import { AuditAction, type AuditActor } from '../../platform/audit/audit-actions';
import { writeAudit } from '../../platform/audit/audit-log';
import { UserError } from '../../platform/errors';
import { type CheckedContract, checkModelContract, type ContractOverrides } from './contract-check';
import { ModelRefusedError, auditRefusedRegistration } from './model-refusal';
import * as repo from './model-registry.repository';
import { isUuid } from '../../platform/ids';

export interface RegisterModelInput {
  name: string;
  version: string;
  /** States the model trained/untrained when its metadata does not (or overrides it). */
  trained?: boolean;
  /** Focal planes in µm, ascending, when the metadata lacks them. */
  planes?: number[];
  variant?: ModelVariant;
  inputSize?: number;
}

export interface RegisterModelResult {
  model: ModelVersion;
  /** false when a version with the same bytes (sha256) already existed and was returned as is */
  created: boolean;
}

/** A model version with the clinics it is enabled for (active or shadow). */
export interface RegisteredModel {
  model: ModelVersion;
  clinics: ClinicModel[];
}

const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._+-]{0,99}$/u;

/**
 * Model versions and which one each clinic uses (DESIGN.md §4, §6). A version is admitted only after
 * its contract was checked by running it; the same bytes are stored once; each clinic has at most one
 * active model (the database enforces it, this service serialises the change by locking the clinic
 * row); a shadow model is scored silently and shown to admins only.
 */
export class ModelRegistryService {
  constructor(private readonly dataSource: DataSource) {}

  async register(onnx: Uint8Array, input: RegisterModelInput, actor: AuditActor): Promise<RegisterModelResult> {
    const name = input.name?.trim() ?? '';
    const version = input.version?.trim() ?? '';
    if (!NAME_PATTERN.test(name)) throw new UserError('model name must be 1–100 letters, digits, spaces or ._+- (starting with a letter or digit)');
    if (!NAME_PATTERN.test(version)) throw new UserError('model version must be 1–100 letters, digits, spaces or ._+- (starting with a letter or digit)');
    if (input.variant !== undefined && !(MODEL_VARIANTS as readonly string[]).includes(input.variant)) {
      throw new UserError(`unknown variant "${input.variant}" (expected ${MODEL_VARIANTS.join(', ')})`);
    }
    if (input.planes !== undefined && !planesAreValid(input.planes)) {
      throw new UserError(`focal planes must be whole µm between -500 and 500, strictly ascending (got ${input.planes.join(',')})`);
    }
    if (input.inputSize !== undefined && !(Number.isInteger(input.inputSize) && input.inputSize > 0)) throw new UserError('input size must be a positive whole number of pixels');
    const bytes = Buffer.from(onnx.buffer, onnx.byteOffset, onnx.byteLength);
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    const existing = await repo.findModelBySha256(this.dataSource.manager, sha256);
    if (existing) return { model: existing, created: false };

    // The slow part (loading and running the model) happens before the transaction opens.
    const overrides: ContractOverrides = {};
    if (input.variant !== undefined) overrides.variant = input.variant;
    if (input.planes !== undefined) overrides.focalPlanesUm = input.planes;
    if (input.trained !== undefined) overrides.trained = input.trained;
    if (input.inputSize !== undefined) overrides.inputSize = input.inputSize;
    let checked: CheckedContract;
    try {
      checked = await checkModelContract(bytes, overrides);
    } catch (error) {
      // a refused file is audited too: who tried to register what, and the reason's code
      if (error instanceof ModelRefusedError) await auditRefusedRegistration(this.dataSource.manager, actor, { name, version, sha256, sizeBytes: bytes.length, reason: error.reason });
      throw error;
    }
    const { contract } = checked;

    try {
      return await this.dataSource.transaction(async (m) => {
        const clash = await repo.findModelByNameVersion(m, name, version);
        if (clash?.sha256 === sha256) return { model: clash, created: false }; // registered concurrently
        if (clash) throw new UserError(`model ${name} ${version} already exists with other contents (sha256 ${clash.sha256.slice(0, 12)}…); register it under a new version`);
        const id = await repo.insertModelIfNewSha256(m, {
          name, version, sha256,
          variant: contract.variant,
          planes: contract.focalPlanesUm,
          inputSize: contract.inputSize,
          contract: { ...contract },
          trained: contract.trained,
          onnx: bytes,
          createdBy: actor.userId,
        });
        if (id === null) {
          // the same bytes were registered concurrently: that version is the answer
          return { model: (await repo.findModelBySha256(m, sha256))!, created: false };
        }
        await writeAudit(m, actor, {
          action: AuditAction.MODEL_REGISTERED,
          entity: 'model_version',
          entityId: id,
          detail: { name, version, sha256, variant: contract.variant, planes: contract.focalPlanesUm, trained: contract.trained, sizeBytes: bytes.length, probeProbability: checked.probeProbability },
        });
        return { model: (await repo.findModelById(m, id))!, created: true };
      });
    } catch (error) {
      if (error instanceof QueryFailedError) {
        // a concurrent registration of the same bytes won the race: its version is the answer
        const winner = await repo.findModelBySha256(this.dataSource.manager, sha256);
        if (winner) return { model: winner, created: false };
        if (/uq_model_version_name_version/.test(error.message)) {
          throw new UserError(`model ${name} ${version} already exists with other contents; register it under a new version`);
        }
      }
      throw error;
    }
  }

  /**
   * Makes `modelId` the clinic's one active model. Locks the clinic row first, so two concurrent
   * activations run one after the other and the last one wins; the others are deactivated in the
   * same transaction. A shadow model stops being shadow when activated.
   */
  async activate(modelId: string, clinicId: string, actor: AuditActor): Promise<ClinicModel> {
    return this.dataSource.transaction(async (m) => {
      await this.lockClinicAndFindModel(m, clinicId, modelId);
      const previous = await repo.findActiveClinicModel(m, clinicId);
      if (previous?.modelVersionId === modelId) return previous;
      await repo.deactivateOthers(m, clinicId, modelId);
      await repo.upsertClinicModel(m, { clinicId, modelVersionId: modelId, active: true, shadow: false, activatedBy: actor.userId });
      await writeAudit(m, actor, {
        action: AuditAction.MODEL_ACTIVATED,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId,
        detail: { modelVersionId: modelId, previousModelVersionId: previous?.modelVersionId ?? null },
      });
      return (await repo.findClinicModel(m, clinicId, modelId))!;
    });
  }

  /**
   * Turns silent mode on or off for a model in a clinic: a shadow model is scored for the clinic
   * without being active, and its numbers are shown to the clinic's admins only. The active model
   * cannot be a shadow one (activate another first).
   */
  async setShadow(modelId: string, clinicId: string, shadow: boolean, actor: AuditActor): Promise<ClinicModel | null> {
    return this.dataSource.transaction(async (m) => {
      await this.lockClinicAndFindModel(m, clinicId, modelId);
      const current = await repo.findClinicModel(m, clinicId, modelId);
      if (current?.active && shadow) throw new UserError('this model is the clinic’s active model; activate another model before putting it in shadow mode');
      if ((current?.shadow ?? false) === shadow) return current;
      await repo.upsertClinicModel(m, { clinicId, modelVersionId: modelId, active: current?.active ?? false, shadow });
      await writeAudit(m, actor, {
        action: AuditAction.MODEL_SHADOW_SET,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId,
        detail: { modelVersionId: modelId, shadow },
      });
      return repo.findClinicModel(m, clinicId, modelId);
    });
  }

  /** Every version (newest first) with its clinic rows; `clinicIds` limits the clinic rows shown. */
  async list(filter: { clinicIds?: string[] } = {}): Promise<RegisteredModel[]> {
    const m = this.dataSource.manager;
    const [models, clinicModels] = await Promise.all([repo.listModels(m), repo.listClinicModels(m, filter)]);
    return models.map((model) => ({ model, clinics: clinicModels.filter((cm) => cm.modelVersionId === model.id) }));
  }

  async get(modelId: string): Promise<ModelVersion | null> {
    return repo.findModelById(this.dataSource.manager, modelId);
  }

  async clinicsOf(modelId: string, filter: { clinicIds?: string[] } = {}): Promise<ClinicModel[]> {
    return repo.listClinicModels(this.dataSource.manager, { ...filter, modelVersionId: modelId });
  }

  async activeModelFor(clinicId: string): Promise<ModelVersion | null> {
    const active = await repo.findActiveClinicModel(this.dataSource.manager, clinicId);
    return active ? repo.findModelById(this.dataSource.manager, active.modelVersionId) : null;
  }

  /** The models a clinic's embryos are scored with: the active one first, then the shadow ones. */
  async scoredModelsFor(clinicId: string): Promise<ModelVersion[]> {
    const rows = (await repo.listClinicModels(this.dataSource.manager, { clinicIds: [clinicId] })).filter((cm) => cm.active || cm.shadow);
    rows.sort((a, b) => Number(b.active) - Number(a.active));
    const models = await Promise.all(rows.map((cm) => repo.findModelById(this.dataSource.manager, cm.modelVersionId)));
    return models.filter((x): x is ModelVersion => x !== null);
  }

  /** The ONNX bytes of a version (never loaded by the listing queries). */
  async onnxOf(modelId: string): Promise<Buffer> {
    const bytes = await repo.readOnnx(this.dataSource.manager, modelId);
    if (!bytes) throw new UserError(`model ${modelId} not found`);
    return bytes;
  }

  private async lockClinicAndFindModel(m: Parameters<typeof repo.lockClinic>[0], clinicId: string, modelId: string): Promise<ModelVersion> {
    if (!isUuid(clinicId) || !(await repo.lockClinic(m, clinicId))) throw new UserError(`clinic ${clinicId} not found`);
    const model = isUuid(modelId) ? await repo.findModelById(m, modelId) : null;
    if (!model) throw new UserError(`model ${modelId} not found`);
    return model;
  }
}

function planesAreValid(planes: number[]): boolean {
  return planes.length > 0 && planes.every((p, i) => Number.isInteger(p) && Math.abs(p) <= 500 && (i === 0 || p > planes[i - 1]));
}
