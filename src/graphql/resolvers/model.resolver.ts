import { Arg, Ctx, FieldResolver, GraphQLISODateTime, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import { MODEL_VARIANTS, type ClinicModel, type ModelVariant, type ModelVersion } from '../../entities';
import { EvaluationService, UNTRAINED_WARNING, type ModelEvaluation } from '../../inference/evaluation/evaluation.service';
import { isUuid } from '../../platform/ids';
import { readModelUpload } from '../../inference/registry/model-files';
import { ModelRegistryService } from '../../inference/registry/model-registry.service';
import { loadConfig } from '../../platform/config';
import type { ApiContext } from '../context';
import { BadInputError, ForbiddenError, NotFoundError } from '../errors';
import {
  ClinicModelType, ModelEvaluationType, ModelVersionType, RegisterModelInput, RegisterModelResultType,
} from '../types/model.types';

/**
 * Model versions, their use per clinic, and their evaluation on a clinic's outcomes.
 *
 * Access (DESIGN.md §8, decided here):
 * - registering a version (network-wide, it belongs to no clinic): a network admin or an ADMIN of any clinic;
 * - activating and shadow mode for a clinic: ADMIN of that clinic;
 * - evaluation on a clinic's outcomes (patient-level aggregates, audited READ_EVALUATION): ADMIN of that clinic;
 * - listing: administrators see every version; other members see the versions enabled (not in
 *   shadow mode) in their clinics. Clinic rows are shown for visible clinics only, shadow rows to
 *   that clinic's admins only.
 */
@Resolver(() => ModelVersionType)
export class ModelResolver {
  @Query(() => [ModelVersionType], { description: 'Registered model versions, newest first.' })
  async models(@Ctx() ctx: ApiContext): Promise<ModelVersionType[]> {
    const listed = await registry(ctx).list(clinicFilter(ctx));
    return listed.filter(({ model, clinics }) => administersAny(ctx) || visibleRows(ctx, clinics).some((r) => r.modelVersionId === model.id)).map(({ model }) => toModelType(model));
  }

  @Query(() => ModelVersionType, { description: 'One model version; NOT_FOUND when missing or not visible to the caller.' })
  async model(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ModelVersionType> {
    return toModelType(await visibleModel(ctx, id));
  }

  @Mutation(() => RegisterModelResultType, {
    description: 'Network admin or any clinic ADMIN: checks a model file placed in the server\'s model folder (DATA_DIR/models) against the AMSNet contract by running it, and stores it. The same bytes twice give the existing version.',
  })
  async registerModel(@Arg('input') input: RegisterModelInput, @Ctx() ctx: ApiContext): Promise<RegisterModelResultType> {
    if (!administersAny(ctx)) throw new ForbiddenError('only administrators may register models');
    if (input.variant !== undefined && input.variant !== null && !(MODEL_VARIANTS as readonly string[]).includes(input.variant)) {
      throw new BadInputError(`variant must be one of ${MODEL_VARIANTS.join(', ')}`);
    }
    const bytes = await readModelUpload(loadConfig(process.env).dataDir, input.serverPath);
    const { model, created } = await registry(ctx).register(
      bytes,
      {
        name: input.name, version: input.version, trained: input.trained ?? undefined, planes: input.planes ?? undefined,
        variant: (input.variant ?? undefined) as ModelVariant | undefined, inputSize: input.inputSize ?? undefined,
      },
      ctx.access.actor,
    );
    return { model: toModelType(model), created };
  }

  @Mutation(() => ClinicModelType, { description: "Clinic ADMIN: makes the model the clinic's one active model (the previous one is deactivated)." })
  async activateModel(@Arg('modelId', () => ID) modelId: string, @Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<ClinicModelType> {
    const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
    await existingModel(ctx, modelId);
    return toClinicModelType(await registry(ctx).activate(modelId, grant.clinicId, grant.actor));
  }

  @Mutation(() => ClinicModelType, { nullable: true, description: 'Clinic ADMIN: silent mode on/off: scored for the clinic, visible to its admins only. Not for the active model.' })
  async setModelShadow(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('shadow') shadow: boolean,
    @Ctx() ctx: ApiContext,
  ): Promise<ClinicModelType | null> {
    const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
    await existingModel(ctx, modelId);
    const row = await registry(ctx).setShadow(modelId, grant.clinicId, shadow, grant.actor);
    return row ? toClinicModelType(row) : null;
  }

  @Query(() => ModelEvaluationType, { description: "Clinic ADMIN: the paper's metrics of a model on the clinic's recorded outcomes, cycles inseminated in [from, to). Audited." })
  async modelEvaluation(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('from', () => GraphQLISODateTime, { nullable: true }) from?: Date | null,
    @Arg('to', () => GraphQLISODateTime, { nullable: true }) to?: Date | null,
  ): Promise<ModelEvaluationType> {
    return evaluate(ctx, modelId, clinicId, from, to);
  }

  @FieldResolver(() => [ClinicModelType], { description: 'Clinics (visible to the caller) that use this version; shadow rows for their admins only.' })
  async clinics(@Root() model: ModelVersionType, @Ctx() ctx: ApiContext): Promise<ClinicModelType[]> {
    const rows = await registry(ctx).clinicsOf(model.id, clinicFilter(ctx));
    return visibleRows(ctx, rows).map(toClinicModelType);
  }

  @FieldResolver(() => ModelEvaluationType, { description: 'Same as Query.modelEvaluation, for this version (clinic ADMIN).' })
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

const registry = (ctx: ApiContext) => ctx.services.get(ModelRegistryService);

/** Network admin, or ADMIN of at least one clinic. */
function administersAny(ctx: ApiContext): boolean {
  const scope = ctx.access.scopeFor(Permission.MANAGE);
  return scope.all || scope.clinicIds.length > 0;
}

/** Clinic rows are read for the caller's clinics only (all clinics for a network admin). */
function clinicFilter(ctx: ApiContext): { clinicIds?: string[] } {
  const scope = ctx.access.visibleScope();
  return scope.all ? {} : { clinicIds: scope.clinicIds };
}

function visibleRows(ctx: ApiContext, rows: ClinicModel[]): ClinicModel[] {
  return rows.filter((r) => ctx.access.roleIn(r.clinicId) !== undefined && (!r.shadow || ctx.access.allows(r.clinicId, Permission.VIEW_SHADOW_MODELS)));
}

async function existingModel(ctx: ApiContext, id: string): Promise<ModelVersion> {
  const model = isUuid(id) ? await registry(ctx).get(id) : null;
  if (!model) throw new NotFoundError('model');
  return model;
}

async function visibleModel(ctx: ApiContext, id: string): Promise<ModelVersion> {
  const model = await existingModel(ctx, id);
  if (administersAny(ctx)) return model;
  const rows = await registry(ctx).clinicsOf(id, clinicFilter(ctx));
  if (visibleRows(ctx, rows).length === 0) throw new NotFoundError('model');
  return model;
}

async function evaluate(ctx: ApiContext, modelId: string, clinicId: string, from?: Date | null, to?: Date | null): Promise<ModelEvaluationType> {
  const grant = await ctx.access.requireClinic(clinicId, Permission.MANAGE);
  const model = await existingModel(ctx, modelId);
  const evaluation = await ctx.services.get(EvaluationService).evaluate({ modelId, clinicId: grant.clinicId, from: from ?? null, to: to ?? null }, grant.actor);
  return toEvaluationType(evaluation, model);
}

function toModelType(m: ModelVersion): ModelVersionType {
  return {
    id: m.id, name: m.name, version: m.version, sha256: m.sha256.trim(), variant: m.variant, planes: m.planes, inputSize: m.inputSize,
    trained: m.trained, warning: m.trained ? null : UNTRAINED_WARNING, sizeBytes: Number(m.sizeBytes), createdAt: m.createdAt,
  };
}

function toClinicModelType(r: ClinicModel): ClinicModelType {
  return { clinicId: r.clinicId, modelId: r.modelVersionId, active: r.active, shadow: r.shadow, activatedAt: r.activatedAt };
}

function toEvaluationType(e: ModelEvaluation, model: ModelVersion): ModelEvaluationType {
  return {
    model: toModelType(model), untrained: e.untrained, warning: e.warning, clinicId: e.clinicId!, from: e.from, to: e.to,
    embryosWithOutcome: e.embryosWithOutcome, embryosNotScored: e.embryosNotScored,
    embryos: e.metrics.embryos, blastocysts: e.metrics.blastocysts, notBlastocysts: e.metrics.notBlastocysts,
    accuracyAuc: e.metrics.accuracyAuc, days: e.metrics.days,
    roc: e.metrics.roc.map((r) => ({ ...r, points: r.points.map((p) => ({ ...p, threshold: Number.isFinite(p.threshold) ? p.threshold : null })) })),
    evaluatedAt: e.evaluatedAt,
  };
}
