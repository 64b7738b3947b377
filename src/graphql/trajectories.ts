import { Permission } from '../../auth/permissions';
import type { Embryo, Prediction } from '../../entities';
import type { ApiContext } from '../context';
import { NotFoundError } from '../errors';
import type { ClinicModelView } from '../loaders/request-loaders';
import type { TrajectoryType } from '../types/clinical.types';

export const UNTRAINED_WARNING = 'untrained model: not for clinical use';

/**
 * The model whose probabilities an embryo's fields show: `modelId` if that model is enabled for
 * the embryo's clinic and visible to the caller (shadow models: clinic admins only), else the
 * clinic's active model. An explicit id that is not visible is NOT_FOUND; no active model is null.
 */
export async function modelForEmbryo(ctx: ApiContext, embryo: Embryo, modelId?: string | null): Promise<ClinicModelView | null> {
  const canSeeShadow = ctx.access.allows(embryo.clinicId, Permission.VIEW_SHADOW_MODELS);
  const models = (await ctx.loaders.modelsByClinic.load(embryo.clinicId)).filter((v) => !v.shadow || canSeeShadow);
  if (modelId === undefined || modelId === null) return models.find((v) => v.active) ?? null;
  const chosen = models.find((v) => v.model.id === modelId);
  if (!chosen) throw new NotFoundError('model');
  return chosen;
}

export async function predictionsFor(ctx: ApiContext, embryo: Embryo, view: ClinicModelView): Promise<Prediction[]> {
  return ctx.loaders.predictions.load(`${embryo.id}/${view.model.id}`);
}

export async function trajectoryOf(ctx: ApiContext, embryo: Embryo, modelId?: string | null): Promise<TrajectoryType | null> {
  const view = await modelForEmbryo(ctx, embryo, modelId);
  if (!view) return null;
  const predictions = await predictionsFor(ctx, embryo, view);
  const { model } = view;
  return {
    model: { id: model.id, name: model.name, version: model.version, variant: model.variant, trained: model.trained, shadow: view.shadow, active: view.active },
    warning: model.trained ? null : UNTRAINED_WARNING,
    points: predictions.map((p) => ({
      segment: p.segment,
      hoursPostInsemination: p.hoursPostInsemination,
      day: p.hoursPostInsemination / 24,
      probability: p.probability,
      imputed: p.inputs?.imputed === true,
      computedAt: p.createdAt,
    })),
  };
}

/** Probability at the embryo's last scored segment, or null when it has none for that model. */
export async function latestProbabilityOf(ctx: ApiContext, embryo: Embryo, modelId?: string | null): Promise<number | null> {
  const view = await modelForEmbryo(ctx, embryo, modelId);
  if (!view) return null;
  const predictions = await predictionsFor(ctx, embryo, view);
  return predictions.at(-1)?.probability ?? null;
}
