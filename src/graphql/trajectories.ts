import type { ClinicModel, Cycle, Embryo, ModelVersion } from '../entities';
import { scoreLabel } from '../inference/scoring/prediction-provenance';
import type { PredictionInputs } from '../inference/scoring/prediction-inputs';
import type { StoredPrediction } from './access/scoped-data';
import type { ApiContext } from './context';
import type {
  EmbryoRankingType,
  PredictionInputType,
  PredictionRuntimeType,
  RankedEmbryoType,
  ScoreType,
  TrajectoryModelType,
  TrajectoryPointType,
  TrajectoryType,
} from './types/clinical.types';

/*
 * Every probability the API serves is built here, from `ctx.data.scoresOf` (which applies the
 * visibility and "assessment first" rules) and always with its label (`scoreLabel`: model,
 * provenance, warning). test/graphql/score-labels.test.ts walks the schema to keep it so.
 */

function modelOf(view: ClinicModel): TrajectoryModelType {
  const model: ModelVersion = view.modelVersion!;
  return {
    id: model.id,
    name: model.name,
    version: model.version,
    sha256: model.sha256,
    variant: model.variant,
    trained: model.trained,
    synthetic: model.synthetic,
    shadow: view.shadow,
    active: view.active,
  };
}

function inputsOf(p: StoredPrediction): PredictionInputType[] {
  const frames = (p.inputs as Partial<PredictionInputs> | null)?.frames ?? [];
  return frames.map((f) => ({
    frameId: f.frameId,
    hoursPostInsemination: f.hpi,
    focalPlaneUm: f.planeUm,
    imputed: f.imputed !== undefined,
    imputedBecause: f.imputed ?? null,
  }));
}

function runtimeOf(p: StoredPrediction): PredictionRuntimeType | null {
  const r = p.runtime as Partial<PredictionRuntimeType> | null;
  if (!r || typeof r.onnxRuntime !== 'string') return null;
  return {
    onnxRuntime: r.onnxRuntime,
    executionProvider: String(r.executionProvider),
    preprocessing: String(r.preprocessing),
  };
}

/**
 * One point of a trajectory. A class, so `inputs` and `runtime` are getters on its prototype (an
 * object literal with getters is built slowly, 28 per embryo) and are built only when a client
 * asks for them: most views (lab, sparklines) do not.
 */
class TrajectoryPoint implements TrajectoryPointType {
  readonly segment: number;
  readonly hoursPostInsemination: number;
  readonly day: number;
  readonly probability: number;
  readonly imputed: boolean;
  readonly computedAt: Date;

  constructor(private readonly p: StoredPrediction) {
    this.segment = p.segment;
    this.hoursPostInsemination = p.hoursPostInsemination;
    this.day = p.hoursPostInsemination / 24;
    this.probability = p.probability;
    this.imputed = p.imputed;
    this.computedAt = p.createdAt;
  }

  get inputs(): PredictionInputType[] {
    return inputsOf(this.p);
  }

  get runtime(): PredictionRuntimeType | null {
    return runtimeOf(this.p);
  }
}

/** An embryo's probabilities of one model as the API shows them (the model chosen by the data layer's visibility rules). */
export async function trajectoryOf(
  ctx: ApiContext,
  embryo: Embryo,
  modelId?: string | null,
): Promise<TrajectoryType | null> {
  const scores = await ctx.data.scoresOf(embryo, modelId);
  if (!scores || 'withheld' in scores) return null;
  const label = scoreLabel(scores.view.modelVersion!);
  return {
    model: modelOf(scores.view),
    provenance: label.provenance,
    label: label.text,
    warning: label.warning,
    points: scores.predictions.map((p) => new TrajectoryPoint(p)),
    segments: scores.predictions.map((p) => p.segment),
    probabilities: scores.predictions.map((p) => p.probability),
    imputed: scores.predictions.map((p) => p.imputed),
  };
}

/** The score at the embryo's last scored segment, labelled; null when unscored, without a model, or withheld. */
export async function latestScoreOf(
  ctx: ApiContext,
  embryo: Embryo,
  modelId?: string | null,
): Promise<ScoreType | null> {
  const scores = await ctx.data.scoresOf(embryo, modelId);
  if (!scores || 'withheld' in scores) return null;
  const last = scores.predictions.at(-1);
  if (!last) return null;
  const label = scoreLabel(scores.view.modelVersion!);
  return {
    value: last.probability,
    segment: last.segment,
    hoursPostInsemination: last.hoursPostInsemination,
    model: modelOf(scores.view),
    provenance: label.provenance,
    warning: label.warning,
    label: label.text,
    computedAt: last.createdAt,
  };
}

/** Why the embryo's score is not shown to the caller ("assessment first"), or null. */
export function scoreWithheldOf(ctx: ApiContext, embryo: Embryo): Promise<string | null> {
  return ctx.data.scoreWithheld(embryo);
}

/**
 * A cycle's embryos ranked by their latest score of one model (the clinic's active one by default):
 * highest first; unscored embryos and those whose score is withheld from the caller follow by label,
 * unranked, so their position says nothing about a score the caller may not see.
 */
export async function rankingOf(ctx: ApiContext, cycle: Cycle, modelId?: string | null): Promise<EmbryoRankingType> {
  // the model first (it is the clinic's, whatever the embryo), then the embryos with its trajectories in one read
  const view = await ctx.data.modelForEmbryo({ clinicId: cycle.clinicId } as Embryo, modelId);
  const embryos = view ? await ctx.data.embryosScoredBy(cycle, view) : await ctx.data.embryosOf(cycle);
  const entries: RankedEmbryoType[] = await Promise.all(
    embryos.map(async (embryo) => ({
      rank: null,
      embryo,
      score: view ? await latestScoreOf(ctx, embryo, view.modelVersionId) : null,
      withheld: view ? await ctx.data.scoreWithheld(embryo) : null,
    })),
  );
  const scored = entries
    .filter((e) => e.score)
    .sort((a, b) => b.score!.value - a.score!.value || a.embryo.label.localeCompare(b.embryo.label));
  scored.forEach((e, i) => (e.rank = i + 1));
  const rest = entries.filter((e) => !e.score); // embryosOf returns them by label
  const label = view ? scoreLabel(view.modelVersion!) : null;
  return {
    model: view ? modelOf(view) : null,
    provenance: label?.provenance ?? null,
    label: label?.text ?? null,
    warning: label?.warning ?? null,
    entries: [...scored, ...rest],
  };
}
