import { createHash } from 'node:crypto';
import { ClinicGrant, ModelRegistrationGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { AuditAction, MODEL_VARIANTS, type ClinicModel, type ModelVariant, type ModelVersion } from '../../entities';
import { DuplicateRecordError, type DataStore, type Repositories } from '../../entities/repositories';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import type { ModelProvenance } from '../provenance';
import { type CheckedContract, checkModelContract, type ContractOverrides } from './contract-check';
import { ModelRefusedError, auditRefusedRegistration } from './model-refusal';

export interface RegisterModelInput {
  name: string;
  version: string;
  /** States the model trained/untrained when its metadata does not (or overrides it). */
  trained?: boolean;
  /** Focal planes in µm, ascending, when the metadata lacks them. */
  planes?: number[];
  variant?: ModelVariant;
  inputSize?: number;
  /** Where the weights came from; default: `imported` for a trained model, `random` for an untrained one. */
  provenance?: Partial<ModelProvenance>;
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
  constructor(private readonly store: DataStore) {}

  async register(
    onnx: Uint8Array,
    input: RegisterModelInput,
    grant: ModelRegistrationGrant,
  ): Promise<RegisterModelResult> {
    const { actor } = ModelRegistrationGrant.check(grant);
    const name = input.name?.trim() ?? '';
    const version = input.version?.trim() ?? '';
    if (!NAME_PATTERN.test(name))
      throw new UserError('model name must be 1–100 letters, digits, spaces or ._+- (starting with a letter or digit)');
    if (!NAME_PATTERN.test(version))
      throw new UserError(
        'model version must be 1–100 letters, digits, spaces or ._+- (starting with a letter or digit)',
      );
    if (input.variant !== undefined && !(MODEL_VARIANTS as readonly string[]).includes(input.variant)) {
      throw new UserError(`unknown variant "${input.variant}" (expected ${MODEL_VARIANTS.join(', ')})`);
    }
    if (input.planes !== undefined && !planesAreValid(input.planes)) {
      throw new UserError(
        `focal planes must be whole µm between -500 and 500, strictly ascending (got ${input.planes.join(',')})`,
      );
    }
    if (input.inputSize !== undefined && !(Number.isInteger(input.inputSize) && input.inputSize > 0))
      throw new UserError('input size must be a positive whole number of pixels');
    const bytes = Buffer.from(onnx.buffer, onnx.byteOffset, onnx.byteLength);
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    const existing = await this.store.models.bySha256(sha256);
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
      if (error instanceof ModelRefusedError)
        await auditRefusedRegistration(this.store.audit, actor, {
          name,
          version,
          sha256,
          sizeBytes: bytes.length,
          reason: error.reason,
        });
      throw error;
    }
    const { contract } = checked;
    const provenance = provenanceFor(contract.trained, input.provenance);

    try {
      return await this.store.transaction(async (tx) => {
        const clash = await tx.models.byNameVersion(name, version);
        if (clash?.sha256 === sha256) return { model: clash, created: false }; // registered concurrently
        if (clash)
          throw new UserError(
            `model ${name} ${version} already exists with other contents (sha256 ${clash.sha256.slice(0, 12)}…); register it under a new version`,
          );
        const id = await tx.models.insertIfNewSha256({
          name,
          version,
          sha256,
          variant: contract.variant,
          planes: contract.focalPlanesUm,
          inputSize: contract.inputSize,
          contract: { ...contract },
          trained: contract.trained,
          onnx: bytes,
          createdBy: actor.userId,
          provenance: provenance.kind,
          synthetic: provenance.synthetic,
          trainingManifest: provenance.manifest,
          weightsSha256: provenance.weightsSha256,
        });
        if (id === null) {
          // the same bytes were registered concurrently: that version is the answer
          return { model: (await tx.models.bySha256(sha256))!, created: false };
        }
        await tx.audit.append(actor, {
          action: AuditAction.MODEL_REGISTERED,
          entity: 'model_version',
          entityId: id,
          detail: {
            name,
            version,
            sha256,
            variant: contract.variant,
            planes: contract.focalPlanesUm,
            trained: contract.trained,
            provenance: provenance.kind,
            synthetic: provenance.synthetic,
            weightsSha256: provenance.weightsSha256,
            sizeBytes: bytes.length,
            probeProbability: checked.probeProbability,
          },
        });
        return { model: (await tx.models.byId(id))!, created: true };
      });
    } catch (error) {
      if (error instanceof DuplicateRecordError) {
        // a concurrent registration of the same bytes won the race: its version is the answer
        const winner = await this.store.models.bySha256(sha256);
        if (winner) return { model: winner, created: false };
        throw new UserError(
          `model ${name} ${version} already exists with other contents; register it under a new version`,
        );
      }
      throw error;
    }
  }

  /**
   * Makes `modelId` the clinic's one active model (MANAGE). Locks the clinic row first, so two
   * concurrent activations run one after the other and the last one wins; the others are
   * deactivated in the same transaction. A shadow model stops being shadow when activated.
   */
  async activate(modelId: string, grant: ClinicGrant): Promise<ClinicModel> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const { clinicId, actor } = grant;
    return this.store.transaction(async (tx) => {
      await this.lockClinicAndFindModel(tx, clinicId, modelId);
      const previous = await tx.models.activeClinicModel(clinicId);
      if (previous?.modelVersionId === modelId) return previous;
      await tx.models.deactivateOthers(clinicId, modelId);
      await tx.models.upsertClinicModel({
        clinicId,
        modelVersionId: modelId,
        active: true,
        shadow: false,
        activatedBy: actor.userId,
      });
      await tx.audit.append(actor, {
        action: AuditAction.MODEL_ACTIVATED,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId,
        detail: { modelVersionId: modelId, previousModelVersionId: previous?.modelVersionId ?? null },
      });
      return (await tx.models.clinicModel(clinicId, modelId))!;
    });
  }

  /**
   * Turns silent mode on or off for a model in a clinic (MANAGE): a shadow model is scored for the
   * clinic without being active, and its numbers are shown to the clinic's admins only. The active
   * model cannot be a shadow one (activate another first).
   */
  async setShadow(modelId: string, grant: ClinicGrant, shadow: boolean): Promise<ClinicModel | null> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const { clinicId, actor } = grant;
    return this.store.transaction(async (tx) => {
      await this.lockClinicAndFindModel(tx, clinicId, modelId);
      const current = await tx.models.clinicModel(clinicId, modelId);
      if (current?.active && shadow)
        throw new UserError(
          'this model is the clinic’s active model; activate another model before putting it in shadow mode',
        );
      if ((current?.shadow ?? false) === shadow) return current;
      await tx.models.upsertClinicModel({
        clinicId,
        modelVersionId: modelId,
        active: current?.active ?? false,
        shadow,
      });
      await tx.audit.append(actor, {
        action: AuditAction.MODEL_SHADOW_SET,
        entity: 'clinic_model',
        entityId: modelId,
        clinicId,
        detail: { modelVersionId: modelId, shadow },
      });
      return tx.models.clinicModel(clinicId, modelId);
    });
  }

  /** Every version (newest first) with its clinic rows; `clinicIds` limits the clinic rows shown. */
  async list(filter: { clinicIds?: string[] } = {}): Promise<RegisteredModel[]> {
    const [models, clinicModels] = await Promise.all([
      this.store.models.list(),
      this.store.models.clinicModels(filter),
    ]);
    return models.map((model) => ({ model, clinics: clinicModels.filter((cm) => cm.modelVersionId === model.id) }));
  }

  /** A version by id; null for a missing one (and for an id that is not a uuid). */
  async get(modelId: string): Promise<ModelVersion | null> {
    return isUuid(modelId) ? this.store.models.byId(modelId) : null;
  }

  async clinicsOf(modelId: string, filter: { clinicIds?: string[] } = {}): Promise<ClinicModel[]> {
    return this.store.models.clinicModels({ ...filter, modelVersionId: modelId });
  }

  /** The clinic's active model version, or null. */
  async activeModelFor(clinicId: string): Promise<ModelVersion | null> {
    return (await this.store.models.activeClinicModel(clinicId))?.modelVersion ?? null;
  }

  /** The models a clinic's embryos are scored with: the active one first, then the shadow ones. */
  async scoredModelsFor(clinicId: string): Promise<ModelVersion[]> {
    const rows = (await this.store.models.clinicModels({ clinicIds: [clinicId] })).filter(
      (cm) => cm.active || cm.shadow,
    );
    rows.sort((a, b) => Number(b.active) - Number(a.active));
    const models = await Promise.all(rows.map((cm) => this.store.models.byId(cm.modelVersionId)));
    return models.filter((x): x is ModelVersion => x !== null);
  }

  /** The ONNX bytes of a version (never loaded by the listing queries). */
  async onnxOf(modelId: string): Promise<Buffer> {
    const stored = isUuid(modelId) ? await this.store.models.onnxOf(modelId) : null;
    if (!stored) throw new UserError(`model ${modelId} not found`);
    return stored.onnx;
  }

  private async lockClinicAndFindModel(tx: Repositories, clinicId: string, modelId: string): Promise<ModelVersion> {
    if (!isUuid(clinicId) || !(await tx.clinics.lock(clinicId))) throw new UserError(`clinic ${clinicId} not found`);
    const model = isUuid(modelId) ? await tx.models.byId(modelId) : null;
    if (!model) throw new UserError(`model ${modelId} not found`);
    return model;
  }
}

function planesAreValid(planes: number[]): boolean {
  return (
    planes.length > 0 &&
    planes.every((p, i) => Number.isInteger(p) && Math.abs(p) <= 500 && (i === 0 || p > planes[i - 1]))
  );
}

/** The provenance a new version is stored with; a claim that contradicts the contract is refused. */
function provenanceFor(trained: boolean, stated: Partial<ModelProvenance> | undefined): ModelProvenance {
  const kind = stated?.kind ?? (trained ? 'imported' : 'random');
  if ((kind === 'random') === trained)
    throw new UserError(
      kind === 'random'
        ? 'a model with trained weights cannot be registered as random (untrained)'
        : `an untrained model cannot be registered as ${kind}: register it as untrained`,
    );
  const synthetic = stated?.synthetic ?? false;
  if (synthetic && kind !== 'trained')
    throw new UserError('only a trained model can be marked as trained on synthetic data');
  const weightsSha256 = stated?.weightsSha256 ?? null;
  if (weightsSha256 !== null && !/^[0-9a-f]{64}$/.test(weightsSha256))
    throw new UserError('weights sha256 must be 64 lowercase hexadecimal digits');
  return { kind, synthetic, manifest: stated?.manifest ?? null, weightsSha256 };
}
