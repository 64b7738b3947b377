import type { Repositories, DataStore } from '../../entities/repositories';
import { deterministicUuid } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import { ModelContractError, PredictorInputError } from '../predictor';
import type { EmbryoScoringService, ScoringObserver } from './embryo-scoring.service';
import { ModelNotFoundError } from './model-cache';
import { missingSegments } from './scoring-plan';
import type { ScoringRunsService } from './scoring-runs.service';
import { safeErrorText } from '../../platform/safe-error';
import type { ScoreClinicPayload, ScoreEmbryosPayload } from './scoring-tasks';

/** Where batches go to be scored by any worker (the job queue). */
export interface BatchQueue {
  /** Enqueues a batch under `id` (an existing id is no second batch), in `tx` when given. */
  enqueueBatch(batch: ScoreEmbryosPayload, options: { id: string; tx?: Repositories }): Promise<void>;
}

/** How often a task has been tried: a transient failure of the last attempt is final. */
export interface Attempt {
  retryCount: number;
  retryLimit: number;
}

/** The run id a cron tick's scoring of one clinic gets: the same in every process that ticked. */
export function cronRunId(clinicId: string, tick: string): string {
  return deterministicUuid(`scoring-run:cron:${clinicId}:${tick}`);
}

/** Errors that no retry can fix: the run fails at once with the reason. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof ModelContractError || error instanceof ModelNotFoundError || error instanceof PredictorInputError
  );
}

export interface ScoringServiceDeps {
  store: DataStore;
  runs: ScoringRunsService;
  scoring: EmbryoScoringService;
  queue: BatchQueue;
  log: Logger;
  /** Embryos per batch: small enough to spread over workers, big enough to batch inference. */
  embryosPerBatch: number;
  observer?: ScoringObserver;
}

/**
 * Scoring runs worked off in batches: planning a clinic's run into batches, and scoring one batch
 * with the model the clinic scores now. The job handlers are thin adapters over these two.
 */
export class ScoringService {
  constructor(private readonly deps: ScoringServiceDeps) {}

  /**
   * Plans one clinic's scoring run: finds the embryos with complete segments that the model (the
   * active one, or the shadow one named) has not predicted, splits them into batches and enqueues
   * one per batch, in the transaction that marks the run RUNNING (so planning twice plans nothing
   * twice). `taskId` names a cron tick's run when the payload has none.
   */
  async planRun(task: ScoreClinicPayload, taskId: string): Promise<object> {
    const { store, runs, log } = this.deps;
    const { clinicId, shadowModelVersionId } = task;
    const tickKey = task.tick ?? taskId;
    const runId =
      task.scoringRunId ?? cronRunId(clinicId, shadowModelVersionId ? `${tickKey}:${shadowModelVersionId}` : tickKey);
    if (!task.scoringRunId) {
      await runs.create({
        id: runId,
        clinicId,
        modelVersionId: null,
        trigger: 'cron',
        requestedBy: null,
        scope: { clinicId, tick: task.tick ?? null },
      });
    }
    const run = await runs.find(runId);
    if (!run) return { ignored: 'scoring run no longer exists' };
    if (run.status !== 'QUEUED') return { ignored: `run is ${run.status}` };

    const model = shadowModelVersionId
      ? await store.models.shadowClinicModel(clinicId, shadowModelVersionId)
      : await store.models.activeClinicModel(clinicId);
    if (!model) {
      await runs.fail(
        runId,
        shadowModelVersionId
          ? 'the model is no longer in silent mode for this clinic'
          : 'the clinic has no active model: register and activate one (amsnet model register / activate)',
      );
      return { failed: 'no model to score' };
    }
    const explicit = task.cycleId !== undefined || task.embryoIds !== undefined;
    const progress = await store.embryos.progress(
      { clinicId, cycleId: task.cycleId, embryoIds: task.embryoIds, activeCyclesOnly: !explicit },
      model.modelVersionId,
    );
    // Predictions of a model are always a prefix of the complete segments, so a count tells.
    const due = progress
      .filter((p) => missingSegments(p.latestFrameHpi, p.cultureEndedHpi, []).length > p.predictedSegments)
      .map((p) => p.embryoId);
    const batches: string[][] = [];
    for (let i = 0; i < due.length; i += this.deps.embryosPerBatch)
      batches.push(due.slice(i, i + this.deps.embryosPerBatch));

    const planned = await store.transaction(async (tx) => {
      if (!(await runs.startPlanned(tx, runId, model.modelVersionId, batches.length))) return false;
      for (const [i, embryoIds] of batches.entries()) {
        await this.deps.queue.enqueueBatch(
          { scoringRunId: runId, clinicId, modelVersionId: model.modelVersionId, embryoIds, batchId: String(i) },
          { tx, id: deterministicUuid(`score-embryos:${runId}:${i}`) },
        );
      }
      return true;
    });
    log.info({ runId, clinicId, embryos: due.length, batches: batches.length, planned }, 'scoring run planned');
    return { runId, embryos: due.length, batches: batches.length };
  }

  /**
   * Scores one batch. If the clinic's active model changed since the batch was planned, the batch
   * (or what is left of it) is re-queued for the new model. A permanent error fails the run with its
   * reason; a transient one is thrown for the queue to retry, and after the last attempt the
   * batch's embryos are recorded as failed.
   */
  async scoreBatch(batch: ScoreEmbryosPayload, attempt: Attempt): Promise<object> {
    const { store, runs, log } = this.deps;
    const run = await runs.find(batch.scoringRunId);
    if (!run) return { ignored: 'scoring run no longer exists' };
    if (run.status === 'FAILED') {
      await runs.recordBatch(batch.scoringRunId, batch.batchId, { outcomes: [] });
      return { ignored: 'run already failed' };
    }
    // A shadow (silent-mode) model is scored beside the active one; only a model the clinic no
    // longer scores at all is swapped for the active one.
    if (await store.models.clinicScoresModel(batch.clinicId, batch.modelVersionId)) return this.score(batch, attempt);
    const active = await store.models.activeClinicModel(batch.clinicId);
    if (!active) {
      await runs.fail(batch.scoringRunId, 'the clinic no longer has an active model');
      await runs.recordBatch(batch.scoringRunId, batch.batchId, { outcomes: [] });
      return { failed: 'no active model' };
    }
    if (active.modelVersionId !== batch.modelVersionId) {
      await this.deps.queue.enqueueBatch(
        { ...batch, modelVersionId: active.modelVersionId },
        { id: deterministicUuid(`score-embryos:${batch.scoringRunId}:${batch.batchId}:${active.modelVersionId}`) },
      );
      log.info(
        { runId: batch.scoringRunId, batch: batch.batchId, from: batch.modelVersionId, to: active.modelVersionId },
        'active model changed: batch re-queued',
      );
      return { requeued: active.modelVersionId };
    }
    return this.score(batch, attempt);
  }

  private async score(batch: ScoreEmbryosPayload, attempt: Attempt): Promise<object> {
    const { store, runs, log } = this.deps;
    try {
      const result = await this.deps.scoring.scoreEmbryos(
        {
          clinicId: batch.clinicId,
          modelVersionId: batch.modelVersionId,
          scoringRunId: batch.scoringRunId,
          embryoIds: batch.embryoIds,
        },
        this.deps.observer,
      );
      await store.transaction(async (tx) => {
        if (result.notScoredModelChanged.length) {
          const to = (await tx.models.activeClinicModel(batch.clinicId))?.modelVersionId;
          if (to) {
            const batchId = `${batch.batchId}>${to}`;
            await runs.addBatch(tx, batch.scoringRunId, to);
            await this.deps.queue.enqueueBatch(
              { ...batch, modelVersionId: to, embryoIds: result.notScoredModelChanged, batchId },
              { tx, id: deterministicUuid(`score-embryos:${batch.scoringRunId}:${batchId}`) },
            );
          }
        }
        await runs.recordBatch(batch.scoringRunId, batch.batchId, result, tx);
      });
      const written = result.outcomes.reduce((n, o) => n + o.written.length, 0);
      log.info(
        {
          runId: batch.scoringRunId,
          batch: batch.batchId,
          embryos: batch.embryoIds.length,
          written,
          provider: result.executionProvider,
          timings: result.timings,
        },
        'batch scored',
      );
      return { written };
    } catch (error) {
      // Stored in the run and shown to users: never a database error's values (src/platform/safe-error.ts).
      const reason = safeErrorText(error);
      log.debug({ runId: batch.scoringRunId, batch: batch.batchId, err: error }, 'scoring batch error');
      if (isPermanent(error)) {
        log.error({ runId: batch.scoringRunId, reason }, 'scoring run failed');
        await runs.fail(batch.scoringRunId, reason);
        await runs.recordBatch(batch.scoringRunId, batch.batchId, { outcomes: [] });
        return { failed: reason };
      }
      if (attempt.retryCount >= attempt.retryLimit) {
        // Last attempt: the queue marks the job failed; the run records why and moves on.
        await runs.recordBatch(batch.scoringRunId, batch.batchId, {
          outcomes: batch.embryoIds.map((embryoId) => ({
            embryoId,
            status: 'failed' as const,
            written: [],
            reason: `gave up after ${attempt.retryCount + 1} attempts: ${reason}`,
          })),
        });
      } else {
        await runs.noteRetry(batch.scoringRunId, reason);
      }
      log.warn(
        { runId: batch.scoringRunId, batch: batch.batchId, attempt: attempt.retryCount + 1, reason },
        'scoring batch failed; the queue retries it',
      );
      throw error;
    }
  }
}
