import type { ClinicModel, Embryo } from '../entities';
import { untrainedWarning } from '../inference/provenance';
import type { ApiContext } from './context';
import type { TrajectoryType } from './types/clinical.types';

/** An embryo's probabilities of one model as the API shows them (the model chosen by the data layer's visibility rules). */
export async function trajectoryOf(
  ctx: ApiContext,
  embryo: Embryo,
  modelId?: string | null,
): Promise<TrajectoryType | null> {
  const view = await ctx.data.modelForEmbryo(embryo, modelId);
  if (!view) return null;
  const predictions = await ctx.data.predictionsOf(embryo, view);
  const model = view.modelVersion!;
  return {
    model: {
      id: model.id,
      name: model.name,
      version: model.version,
      variant: model.variant,
      trained: model.trained,
      synthetic: model.synthetic,
      shadow: view.shadow,
      active: view.active,
    },
    warning: untrainedWarning(model),
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
export async function latestProbabilityOf(
  ctx: ApiContext,
  embryo: Embryo,
  modelId?: string | null,
): Promise<number | null> {
  const view: ClinicModel | null = await ctx.data.modelForEmbryo(embryo, modelId);
  if (!view) return null;
  const predictions = await ctx.data.predictionsOf(embryo, view);
  return predictions.at(-1)?.probability ?? null;
}
