import { Arg, Ctx, FieldResolver, GraphQLISODateTime, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import { MODEL_VARIANTS, type ClinicModel, type ModelVariant, type ModelVersion } from '../../entities';
import type { ModelEvaluation } from '../../inference/evaluation/evaluation.service';
import { untrainedWarning } from '../../inference/provenance';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { AcceptanceCriteriaInput } from '../types/governance.types';
import {
  ClinicModelType,
  ModelEvaluationType,
  ModelVersionType,
  RegisterModelInput,
  RegisterModelResultType,
} from '../types/model.types';

/**
 * Model versions, their use per clinic, and their evaluation on a clinic's outcomes.
 *
 * Access (DESIGN.md §8): registering a version (it belongs to no clinic) needs a network admin or
 * an ADMIN of any clinic; activating, shadow mode and evaluation on a clinic's outcomes need ADMIN of
 * that clinic; what a caller sees of versions is decided by the access layer (access/model-visibility).
 */
@Resolver(() => ModelVersionType)
export class ModelResolver {
  @Query(() => [ModelVersionType], { description: 'Registered model versions, newest first.' })
  async models(@Ctx() ctx: ApiContext): Promise<ModelVersionType[]> {
    return (await ctx.data.models()).map(toModelType);
  }

  @Query(() => ModelVersionType, {
    description: 'One model version; NOT_FOUND when missing or not visible to the caller.',
  })
  async model(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ModelVersionType> {
    return toModelType(await ctx.data.model(id));
  }

  @Mutation(() => RegisterModelResultType, {
    description:
      "Network admin or any clinic ADMIN: checks a model file placed in the server's model folder (DATA_DIR/models) against the AMSNet contract by running it, and stores it. The same bytes twice give the existing version.",
  })
  async registerModel(
    @Arg('input') input: RegisterModelInput,
    @Ctx() ctx: ApiContext,
  ): Promise<RegisterModelResultType> {
    const grant = ctx.access.requireModelRegistrar();
    if (
      input.variant !== undefined &&
      input.variant !== null &&
      !(MODEL_VARIANTS as readonly string[]).includes(input.variant)
    ) {
      throw new BadInputError(`variant must be one of ${MODEL_VARIANTS.join(', ')}`);
    }
    const bytes = await ctx.services.readModelUpload(input.serverPath);
    const { model, created } = await ctx.services.registry.register(
      bytes,
      {
        name: input.name,
        version: input.version,
        trained: input.trained ?? undefined,
        planes: input.planes ?? undefined,
        variant: (input.variant ?? undefined) as ModelVariant | undefined,
        inputSize: input.inputSize ?? undefined,
      },
      grant,
    );
    return { model: toModelType(model), created };
  }

  @Mutation(() => ClinicModelType, {
    description:
      "Clinic ADMIN: makes the model the clinic's one active model (the previous one is deactivated). Refused while the model's recorded acceptance criteria are unmet (see activationCheck), unless overrideReason is given (audited).",
  })
  async activateModel(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('overrideReason', () => String, { nullable: true }) overrideReason?: string,
  ): Promise<ClinicModelType> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    await ctx.data.modelToChange(modelId);
    return toClinicModelType(await ctx.services.acceptance.activate(grant, modelId, overrideReason));
  }

  @Mutation(() => ClinicModelType, {
    nullable: true,
    description:
      'Clinic ADMIN: silent mode on/off: scored for the clinic, visible to its admins only. Not for the active model. ' +
      'Putting a model in shadow mode may record the acceptance criteria activateModel will hold it to.',
  })
  async setModelShadow(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('shadow') shadow: boolean,
    @Ctx() ctx: ApiContext,
    @Arg('acceptanceCriteria', () => AcceptanceCriteriaInput, { nullable: true })
    acceptanceCriteria?: AcceptanceCriteriaInput | null,
  ): Promise<ClinicModelType | null> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    await ctx.data.modelToChange(modelId);
    if (acceptanceCriteria && !shadow) throw new BadInputError('acceptance criteria go with shadow: true');
    const row = await ctx.services.registry.setShadow(modelId, grant, shadow);
    if (acceptanceCriteria) await ctx.services.acceptance.setCriteria(grant, modelId, acceptanceCriteria);
    return row ? toClinicModelType(row) : null;
  }

  @Query(() => ModelEvaluationType, {
    description:
      "Clinic ADMIN: the paper's metrics of a model on the clinic's recorded outcomes, cycles inseminated in [from, to). Audited.",
  })
  async modelEvaluation(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('from', () => GraphQLISODateTime, { nullable: true }) from?: Date | null,
    @Arg('to', () => GraphQLISODateTime, { nullable: true }) to?: Date | null,
  ): Promise<ModelEvaluationType> {
    return evaluate(ctx, modelId, clinicId, from, to);
  }

  @FieldResolver(() => [ClinicModelType], {
    description: 'Clinics (visible to the caller) that use this version; shadow rows for their admins only.',
  })
  async clinics(@Root() model: ModelVersionType, @Ctx() ctx: ApiContext): Promise<ClinicModelType[]> {
    return (await ctx.data.clinicsOfModel(model.id)).map(toClinicModelType);
  }

  @FieldResolver(() => ModelEvaluationType, {
    description: 'Same as Query.modelEvaluation, for this version (clinic ADMIN).',
  })
  async evaluation(
    @Root() model: ModelVersionType,
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('from', () => GraphQLISODateTime, { nullable: true }) from?: Date | null,
    @Arg('to', () => GraphQLISODateTime, { nullable: true }) to?: Date | null,
  ): Promise<ModelEvaluationType> {
    return evaluate(ctx, model.id, clinicId, from, to);
  }
}

async function evaluate(
  ctx: ApiContext,
  modelId: string,
  clinicId: string,
  from?: Date | null,
  to?: Date | null,
): Promise<ModelEvaluationType> {
  const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
  const model = await ctx.data.modelToChange(modelId);
  const evaluation = await ctx.services.evaluation.evaluate({ modelId, from: from ?? null, to: to ?? null }, grant);
  return toEvaluationType(evaluation, model);
}

function toModelType(m: ModelVersion): ModelVersionType {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    sha256: m.sha256.trim(),
    variant: m.variant,
    planes: m.planes,
    inputSize: m.inputSize,
    trained: m.trained,
    synthetic: m.synthetic,
    warning: untrainedWarning(m),
    provenance: {
      kind: m.provenance,
      synthetic: m.synthetic,
      weightsSha256: m.weightsSha256?.trim() ?? null,
      manifest: m.trainingManifest,
    },
    sizeBytes: Number(m.sizeBytes),
    createdAt: m.createdAt,
  };
}

export function toClinicModelType(r: ClinicModel): ClinicModelType {
  return {
    clinicId: r.clinicId,
    modelId: r.modelVersionId,
    active: r.active,
    shadow: r.shadow,
    activatedAt: r.activatedAt,
  };
}

function toEvaluationType(e: ModelEvaluation, model: ModelVersion): ModelEvaluationType {
  return {
    model: toModelType(model),
    untrained: e.untrained,
    synthetic: e.synthetic,
    warning: e.warning,
    clinicId: e.clinicId!,
    from: e.from,
    to: e.to,
    embryosWithOutcome: e.embryosWithOutcome,
    embryosNotScored: e.embryosNotScored,
    laggingEmbryos: e.lagging,
    embryos: e.metrics.embryos,
    blastocysts: e.metrics.blastocysts,
    notBlastocysts: e.metrics.notBlastocysts,
    accuracyAuc: e.metrics.accuracyAuc,
    days: e.metrics.days,
    roc: e.metrics.roc.map((r) => ({
      ...r,
      points: r.points.map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : null })),
    })),
    evaluatedAt: e.evaluatedAt,
  };
}
