import type { DataSource } from 'typeorm';
import { ModelContractError, PredictorInputError } from '../../inference/predictor';
import type { EmbryoScoringService, ScoringObserver } from '../../inference/scoring/embryo-scoring.service';
import { ModelNotFoundError } from '../../inference/scoring/model-cache';
import * as repo from '../../inference/scoring/scoring.repository';
import type { ScoringRunsService } from '../../inference/scoring/scoring-runs.service';
import type { Logger } from '../../platform/logger';
import { deterministicUuid } from '../deterministic-id';
import type { JobContext, ScoreEmbryosPayload } from '../job-registry';
import type { JobQueue } from '../job-queue';

export interface ScoreEmbryosDeps {
  dataSource: DataSource;
  queue: JobQueue;
  runs: ScoringRunsService;
  scoring: EmbryoScoringService;
  log: Logger;
  observer?: ScoringObserver;
}

/** Errors that no retry can fix: the run fails at once with the reason. */
function isPermanent(error: unknown): boolean {
  return error instanceof ModelContractError || error instanceof ModelNotFoundError || error instanceof PredictorInputError;
}

/**
 * Scores one batch. If the clinic's active model changed since the batch was planned, the batch
 * (or what is left of it) is re-queued for the new model. A permanent error fails the run with its
 * reason; a transient one is retried by the queue with backoff, and after the last attempt the
 * batch's embryos are recorded as failed.
 */
export function scoreEmbryosHandler(deps: ScoreEmbryosDeps) {
  return async (job: JobContext<ScoreEmbryosPayload>): Promise<object> => {
    const d = job.data;
    const run = await deps.runs.find(d.scoringRunId);
    if (!run) return { ignored: 'scoring run no longer exists' };
    if (run.status === 'FAILED') {
      await deps.runs.recordBatch(d.scoringRunId, d.batchId, { outcomes: [] });
      return { ignored: 'run already failed' };
    }
    // A shadow (silent-mode) model is scored beside the active one; only a model the clinic no
    // longer scores at all is swapped for the active one.
    if (await repo.clinicScoresModel(deps.dataSource.manager, d.clinicId, d.modelVersionId)) return scoreBatch(deps, job);
    const active = await repo.findActiveModel(deps.dataSource.manager, d.clinicId);
    if (!active) {
      await deps.runs.fail(d.scoringRunId, 'the clinic no longer has an active model');
      await deps.runs.recordBatch(d.scoringRunId, d.batchId, { outcomes: [] });
      return { failed: 'no active model' };
    }
    if (active.modelVersionId !== d.modelVersionId) {
      await deps.queue.send('score-embryos', { ...d, modelVersionId: active.modelVersionId }, { id: deterministicUuid(`score-embryos:${d.scoringRunId}:${d.batchId}:${active.modelVersionId}`) });
      deps.log.info({ runId: d.scoringRunId, batch: d.batchId, from: d.modelVersionId, to: active.modelVersionId }, 'active model changed: batch re-queued');
      return { requeued: active.modelVersionId };
    }
    return scoreBatch(deps, job);
  };
}

async function scoreBatch(deps: ScoreEmbryosDeps, job: JobContext<ScoreEmbryosPayload>): Promise<object> {
  const d = job.data;
  try {
    const result = await deps.scoring.scoreEmbryos(
      { clinicId: d.clinicId, modelVersionId: d.modelVersionId, scoringRunId: d.scoringRunId, embryoIds: d.embryoIds },
      deps.observer,
    );
    await deps.dataSource.transaction(async (tx) => {
      if (result.notScoredModelChanged.length) {
        const to = (await repo.findActiveModel(tx, d.clinicId))?.modelVersionId;
        if (to) {
          const batchId = `${d.batchId}>${to}`;
          await deps.runs.addBatch(tx, d.scoringRunId, to);
          await deps.queue.send('score-embryos', { ...d, modelVersionId: to, embryoIds: result.notScoredModelChanged, batchId }, { tx, id: deterministicUuid(`score-embryos:${d.scoringRunId}:${batchId}`) });
        }
      }
      await deps.runs.recordBatch(d.scoringRunId, d.batchId, result, tx);
    });
    const written = result.outcomes.reduce((n, o) => n + o.written.length, 0);
    deps.log.info({ runId: d.scoringRunId, batch: d.batchId, embryos: d.embryoIds.length, written, provider: result.executionProvider, timings: result.timings }, 'batch scored');
    return { written };
  } catch (error) {
    const reason = (error as Error).message;
    if (isPermanent(error)) {
      deps.log.error({ runId: d.scoringRunId, err: error }, 'scoring run failed');
      await deps.runs.fail(d.scoringRunId, reason);
      await deps.runs.recordBatch(d.scoringRunId, d.batchId, { outcomes: [] });
      return { failed: reason };
    }
    if (job.retryCount >= job.retryLimit) {
      // Last attempt: the queue marks the job failed; the run records why and moves on.
      await deps.runs.recordBatch(d.scoringRunId, d.batchId, {
        outcomes: d.embryoIds.map((embryoId) => ({ embryoId, status: 'failed' as const, written: [], reason: `gave up after ${job.retryCount + 1} attempts: ${reason}` })),
      });
    } else {
      await deps.runs.noteRetry(d.scoringRunId, reason);
    }
    deps.log.warn({ runId: d.scoringRunId, batch: d.batchId, attempt: job.retryCount + 1, err: error }, 'scoring batch failed; the queue retries it');
    throw error;
  }
}
