import type { DataSource } from 'typeorm';
import { missingSegments } from '../../inference/scoring/scoring-plan';
import * as repo from '../../inference/scoring/scoring.repository';
import type { ScoringRunsService } from '../../inference/scoring/scoring-runs.service';
import type { Logger } from '../../platform/logger';
import { deterministicUuid } from '../deterministic-id';
import type { JobContext, ScoreClinicPayload } from '../job-registry';
import type { JobQueue } from '../job-queue';

export interface ScoreClinicDeps {
  dataSource: DataSource;
  queue: JobQueue;
  runs: ScoringRunsService;
  log: Logger;
  /** Embryos per score-embryos job: small enough to spread over workers, big enough to batch inference. */
  embryosPerJob: number;
}

/** The run id a cron tick's scoring of one clinic gets: the same in every process that ticked. */
export function cronRunId(clinicId: string, tick: string): string {
  return deterministicUuid(`scoring-run:cron:${clinicId}:${tick}`);
}

/**
 * Plans one clinic's scoring run: finds the embryos with complete segments that the model (the active one, or the shadow one named)
 * has not predicted, splits them into batches and enqueues one score-embryos job per batch, in the
 * transaction that marks the run RUNNING (so a retry of this job plans nothing twice).
 */
export function scoreClinicHandler(deps: ScoreClinicDeps) {
  return async (job: JobContext<ScoreClinicPayload>): Promise<object> => {
    const { clinicId, shadowModelVersionId } = job.data;
    const tickKey = job.data.tick ?? job.id;
    const runId = job.data.scoringRunId ?? cronRunId(clinicId, shadowModelVersionId ? `${tickKey}:${shadowModelVersionId}` : tickKey);
    if (!job.data.scoringRunId) {
      await deps.runs.create({ id: runId, clinicId, modelVersionId: null, trigger: 'cron', requestedBy: null, scope: { clinicId, tick: job.data.tick ?? null } });
    }
    const run = await deps.runs.find(runId);
    if (!run) return { ignored: 'scoring run no longer exists' };
    if (run.status !== 'QUEUED') return { ignored: `run is ${run.status}` };

    const model = shadowModelVersionId
      ? await repo.findShadowModel(deps.dataSource.manager, clinicId, shadowModelVersionId)
      : await repo.findActiveModel(deps.dataSource.manager, clinicId);
    if (!model) {
      await deps.runs.fail(
        runId,
        shadowModelVersionId
          ? 'the model is no longer in silent mode for this clinic'
          : 'the clinic has no active model: register and activate one (amsnet model register / activate)',
      );
      return { failed: 'no model to score' };
    }
    const explicit = job.data.cycleId !== undefined || job.data.embryoIds !== undefined;
    const progress = await repo.embryoProgress(
      deps.dataSource.manager,
      { clinicId, cycleId: job.data.cycleId, embryoIds: job.data.embryoIds, activeCyclesOnly: !explicit },
      model.modelVersionId,
    );
    // Predictions of a model are always a prefix of the complete segments, so a count tells.
    const due = progress
      .filter((p) => missingSegments(p.latestFrameHpi, p.cultureEndedHpi, []).length > p.predictedSegments)
      .map((p) => p.embryoId);
    const batches: string[][] = [];
    for (let i = 0; i < due.length; i += deps.embryosPerJob) batches.push(due.slice(i, i + deps.embryosPerJob));

    const planned = await deps.dataSource.transaction(async (tx) => {
      if (!(await deps.runs.startPlanned(tx, runId, model.modelVersionId, batches.length))) return false;
      for (const [i, embryoIds] of batches.entries()) {
        await deps.queue.send(
          'score-embryos',
          { scoringRunId: runId, clinicId, modelVersionId: model.modelVersionId, embryoIds, batchId: String(i) },
          { tx, id: deterministicUuid(`score-embryos:${runId}:${i}`) },
        );
      }
      return true;
    });
    deps.log.info({ runId, clinicId, embryos: due.length, batches: batches.length, planned }, 'scoring run planned');
    return { runId, embryos: due.length, batches: batches.length };
  };
}
