import type { DataStore, NewPrediction } from '../../entities/repositories';
import { processMetrics } from '../../platform/metrics';
import type { AmsnetPredictor } from '../predictor';
import { CULTURE_HORIZON_HOURS, predictionHpi } from '../sampling/timeline';
import { planInferenceBatches, runInferenceBatch, type WorkBatch } from './inference-batches';
import { buildInputBatch, type InputBatch } from './input-tensor';
import type { PredictorCache } from './model-cache';
import { predictionInputs } from './prediction-inputs';
import { predictionRuntime, type PredictionRuntime } from './prediction-provenance';
import { planEmbryo, type EmbryoPlan } from './scoring-plan';

export interface ScoreEmbryosInput {
  clinicId: string;
  modelVersionId: string;
  scoringRunId: string;
  embryoIds: string[];
}

export interface EmbryoOutcome {
  embryoId: string;
  status: 'scored' | 'up-to-date' | 'skipped' | 'failed';
  /** Segments this call inserted (a concurrent writer may have stored others). */
  written: number[];
  reason?: string;
}

/** Milliseconds spent per phase (summed; phases overlap, so they can add up to more than `wallMs`). */
export interface ScoringTimings {
  loadMs: number;
  readMs: number;
  preprocessMs: number;
  inferenceMs: number;
  writeMs: number;
  wallMs: number;
}

export interface ScoreEmbryosResult {
  outcomes: EmbryoOutcome[];
  /** Embryos not looked at because the clinic's active model changed meanwhile: score them with the new one. */
  notScoredModelChanged: string[];
  executionProvider: string;
  timings: ScoringTimings;
}

export interface ScoringObserver {
  /** Called before an embryo's write transaction opens (tests inject crashes here). */
  beforeWrite?(embryoId: string): void | Promise<void>;
  /** Called after an embryo's predictions are committed (progress bars; tests inject crashes here). */
  embryoCommitted?(embryoId: string, written: number[]): void | Promise<void>;
}

/**
 * Scores a batch of embryos of one clinic with one model: plans the complete, unscored segments,
 * builds the inputs of the next batch while the model runs on the current one, and writes each
 * embryo's predictions in its own transaction (insert-if-absent on embryo, model, segment): a
 * crash or a duplicate job never leaves a second or partial trajectory.
 */
export class EmbryoScoringService {
  constructor(
    private readonly store: DataStore,
    private readonly predictors: PredictorCache,
  ) {}

  async scoreEmbryos(input: ScoreEmbryosInput, observer: ScoringObserver = {}): Promise<ScoreEmbryosResult> {
    const wallStart = performance.now();
    if (await this.store.governance.scoringSuspended(input.clinicId)) {
      // the clinic's kill switch: write nothing until an ADMIN resumes (its jobs end as skipped)
      return {
        outcomes: input.embryoIds.map((embryoId) => ({
          embryoId,
          status: 'skipped' as const,
          written: [],
          reason: 'scoring is suspended in this clinic',
        })),
        notScoredModelChanged: [],
        executionProvider: 'none',
        timings: { loadMs: 0, readMs: 0, preprocessMs: 0, inferenceMs: 0, writeMs: 0, wallMs: 0 },
      };
    }
    const timings: ScoringTimings = { loadMs: 0, readMs: 0, preprocessMs: 0, inferenceMs: 0, writeMs: 0, wallMs: 0 };
    const loadStart = performance.now();
    const { predictor } = await this.predictors.get(input.modelVersionId);
    timings.loadMs = performance.now() - loadStart;

    const readStart = performance.now();
    const { plans, outcomes } = await this.plan(input, predictor);
    timings.readMs += performance.now() - readStart;

    const stored =
      predictor.supportsStreaming && plans.length
        ? await this.store.predictions.streamStates(
            plans.map((p) => p.embryoId),
            input.modelVersionId,
          )
        : new Map<string, { segments: number; state: Buffer }>();
    const batches = planInferenceBatches(plans, predictor, stored);

    const readImages = (sha256s: string[]) => this.store.embryos.images(sha256s);
    const prepare = (batch: WorkBatch) => {
      const pending = buildInputBatch(batch.plans, predictor.contract.inputSize, readImages, {
        from: batch.from,
        layout: batch.streaming ? 'time-major' : 'batch-major',
      });
      pending.catch(() => undefined); // awaited below; avoid an "unhandled" report while inference runs
      return pending;
    };
    const notScoredModelChanged: string[] = [];
    let next = batches.length ? prepare(batches[0]) : null;
    for (let i = 0; i < batches.length; i++) {
      const ready = await next!;
      timings.readMs += ready.readMs;
      timings.preprocessMs += ready.preprocessMs;
      // Overlap: the next batch is read and decoded while this one runs through the model.
      next = i + 1 < batches.length ? prepare(batches[i + 1]) : null;
      for (const [embryoId, reason] of ready.failed) outcomes.push({ embryoId, status: 'failed', written: [], reason });

      const inferStart = performance.now();
      const { probabilities, states } = await runInferenceBatch(predictor, batches[i], ready);
      const inferMs = performance.now() - inferStart;
      timings.inferenceMs += inferMs;
      processMetrics().inferenceDuration.observe({ provider: predictor.executionProvider }, inferMs);

      const writeStart = performance.now();
      outcomes.push(
        ...(await this.write(
          input,
          ready,
          probabilities,
          states,
          observer,
          predictionRuntime(predictor.executionProvider),
        )),
      );
      timings.writeMs += performance.now() - writeStart;

      if (i + 1 < batches.length && !(await this.modelStillScored(input))) {
        await next?.catch(() => undefined);
        for (const later of batches.slice(i + 1)) notScoredModelChanged.push(...later.plans.map((p) => p.embryoId));
        break;
      }
    }
    timings.wallMs = performance.now() - wallStart;
    const scored = outcomes.filter((o) => o.written.length > 0).length;
    if (scored > 0) processMetrics().recordScoring(scored, timings.wallMs / 1000, predictor.executionProvider);
    return { outcomes, notScoredModelChanged, executionProvider: predictor.executionProvider, timings };
  }

  /** Reads progress and frame references of every embryo of the batch (two queries) and plans each. */
  private async plan(
    input: ScoreEmbryosInput,
    predictor: AmsnetPredictor,
  ): Promise<{ plans: EmbryoPlan[]; outcomes: EmbryoOutcome[] }> {
    const progress = await this.store.embryos.progressWithSegments(
      input.clinicId,
      input.embryoIds,
      input.modelVersionId,
    );
    const outcomes: EmbryoOutcome[] = [];
    const known = new Set(progress.map((p) => p.embryoId));
    for (const id of input.embryoIds) {
      if (!known.has(id))
        outcomes.push({ embryoId: id, status: 'skipped', written: [], reason: 'no such embryo in this clinic' });
    }
    const frames = await this.store.embryos.frameRefs(
      progress.map((p) => p.embryoId),
      CULTURE_HORIZON_HOURS,
    );
    const plans: EmbryoPlan[] = [];
    for (const p of progress) {
      const result = planEmbryo(p.embryoId, p, frames.get(p.embryoId) ?? [], predictor.contract.focalPlanesUm);
      if ('plan' in result) plans.push(result.plan);
      else if ('skipped' in result)
        outcomes.push({ embryoId: p.embryoId, status: 'skipped', written: [], reason: result.skipped });
      else outcomes.push({ embryoId: p.embryoId, status: 'up-to-date', written: [] });
    }
    return { plans, outcomes };
  }

  /** One transaction per embryo: all its missing segments or none. */
  private async write(
    input: ScoreEmbryosInput,
    batch: InputBatch,
    probabilities: Float32Array,
    states: Buffer[] | null,
    observer: ScoringObserver,
    runtime: PredictionRuntime,
  ): Promise<EmbryoOutcome[]> {
    const outcomes: EmbryoOutcome[] = [];
    for (let b = 0; b < batch.included.length; b++) {
      const plan = batch.included[b];
      const rows: NewPrediction[] = plan.missing.map((k) => ({
        segment: k,
        hoursPostInsemination: predictionHpi(k),
        probability: probabilities[b * batch.segments + (k - batch.from)],
        inputs: predictionInputs(plan.samples[k]) as unknown as Record<string, unknown>,
      }));
      const bad = rows.find((r) => !(r.probability >= 0 && r.probability <= 1));
      if (bad) {
        outcomes.push({
          embryoId: plan.embryoId,
          status: 'failed',
          written: [],
          reason: `the model returned ${bad.probability} for segment ${bad.segment} (not a probability)`,
        });
        continue;
      }
      await observer.beforeWrite?.(plan.embryoId);
      const written = await this.store.transaction(async (tx) => {
        await tx.predictions.lockTrajectory(plan.embryoId, input.modelVersionId);
        const inserted = await tx.predictions.insert(plan.embryoId, input.modelVersionId, input.scoringRunId, rows, {
          ...runtime,
        });
        if (plan.final) await tx.predictions.deleteStreamState(plan.embryoId, input.modelVersionId);
        else if (states)
          await tx.predictions.saveStreamState(
            plan.embryoId,
            input.modelVersionId,
            batch.from + batch.segments,
            states[b],
          );
        return inserted;
      });
      outcomes.push({ embryoId: plan.embryoId, status: 'scored', written });
      await observer.embryoCommitted?.(plan.embryoId, written);
    }
    return outcomes;
  }

  /** The model may still be scored for the clinic: it is the active one or a shadow (silent-mode) one. */
  private async modelStillScored(input: ScoreEmbryosInput): Promise<boolean> {
    return this.store.models.clinicScoresModel(input.clinicId, input.modelVersionId);
  }
}
