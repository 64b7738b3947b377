import { cronRunId } from './scoring.service';
import type { ScoringRunsService } from './scoring-runs.service';
import type { ScoreClinicPayload, ScoreEmbryosPayload } from './scoring-tasks';

/**
 * What a scoring run records when the last attempt at a piece of its work died with its worker
 * (found by the stale-run sweeper, src/jobs/stale-run-sweeper.ts), so the run is closed with the
 * reason instead of staying RUNNING: the batch's embryos count as failed (the run closes as
 * PARTIAL or FAILED once every batch reported), and a plan that never happened fails the run.
 */
export class AbandonedScoringWork {
  constructor(private readonly runs: ScoringRunsService) {}

  async batch(batch: ScoreEmbryosPayload, reason: string): Promise<void> {
    await this.runs.recordBatch(batch.scoringRunId, batch.batchId, {
      outcomes: batch.embryoIds.map((embryoId) => ({
        embryoId,
        status: 'failed' as const,
        written: [],
        reason: `interrupted: ${reason}`,
      })),
    });
  }

  async plan(task: ScoreClinicPayload, jobId: string, reason: string): Promise<void> {
    const tick = task.tick ?? jobId;
    const runId =
      task.scoringRunId ??
      cronRunId(task.clinicId, task.shadowModelVersionId ? `${tick}:${task.shadowModelVersionId}` : tick);
    await this.runs.fail(runId, `interrupted: ${reason}`);
  }
}
