import type { ScoringRun } from '../../entities';
import type { DataStore, NewScoringRun, Repositories } from '../../entities/repositories';
import type { EmbryoOutcome, ScoringTimings } from './embryo-scoring.service';

/** What `scoring_run.details` holds while and after a run is worked off in batches. */
export interface ScoringRunDetails {
  batchesTotal?: number;
  batchesRemaining?: number;
  /** Batch ids already accounted for: a retried or duplicated batch job is counted once. */
  batchesDone?: string[];
  failures?: Array<{ embryoId: string; reason: string }>;
  skipped?: Array<{ embryoId: string; reason: string }>;
  /** Summed per phase over all batches (see bench/scoring.ts for what they mean). */
  timingsMs?: Omit<ScoringTimings, 'wallMs'> & { batchesWallMs: number };
  /** The last transient error of a batch that is being retried. */
  lastError?: string;
  modelChangedTo?: string;
}

const ZERO_TIMINGS = { loadMs: 0, readMs: 0, preprocessMs: 0, inferenceMs: 0, writeMs: 0, batchesWallMs: 0 };
const MAX_LISTED = 200; // failures/skips listed in details; the counters stay exact

/**
 * The life of a `scoring_run` row: QUEUED (requested) → RUNNING (planned into batches) →
 * SUCCEEDED / PARTIAL (some embryos failed) / FAILED (nothing could be scored, with the reason).
 * Batches report in under a row lock, each once; the last one closes the run with counts taken
 * from the prediction table itself, so crashed and retried jobs never skew them.
 */
export class ScoringRunsService {
  constructor(private readonly store: DataStore) {}

  /** A QUEUED run; null when a run with the given id exists already. */
  create(input: NewScoringRun, tx: Repositories = this.store): Promise<ScoringRun | null> {
    return tx.scoringRuns.insert(input);
  }

  find(id: string): Promise<ScoringRun | null> {
    return this.store.scoringRuns.find(id);
  }

  /** QUEUED → RUNNING with its batch count, inside the caller's transaction; false if it was planned already. */
  async startPlanned(tx: Repositories, runId: string, modelVersionId: string, batches: number): Promise<boolean> {
    const run = await tx.scoringRuns.find(runId, { lock: true });
    if (!run || run.status !== 'QUEUED') return false;
    const details: ScoringRunDetails = {
      ...(run.details as ScoringRunDetails),
      batchesTotal: batches,
      batchesRemaining: batches,
      batchesDone: [],
      failures: [],
      skipped: [],
      timingsMs: { ...ZERO_TIMINGS },
    };
    await tx.scoringRuns.update(runId, {
      status: 'RUNNING',
      modelVersionId,
      startedAt: new Date(),
      details: details as Record<string, unknown>,
    });
    if (batches === 0) await this.close(tx, runId);
    return true;
  }

  /** Another batch joins the run (embryos re-queued after a model change). */
  async addBatch(tx: Repositories, runId: string, modelChangedTo: string): Promise<void> {
    const run = await tx.scoringRuns.find(runId, { lock: true });
    if (!run) return;
    const details = run.details as ScoringRunDetails;
    await tx.scoringRuns.update(runId, {
      details: {
        ...details,
        batchesTotal: (details.batchesTotal ?? 0) + 1,
        batchesRemaining: (details.batchesRemaining ?? 0) + 1,
        modelChangedTo,
      } as Record<string, unknown>,
    });
  }

  /** Accounts for one finished batch (once per batch id); closes the run after the last. */
  async recordBatch(
    runId: string,
    batchId: string,
    result: { outcomes: EmbryoOutcome[]; executionProvider?: string; timings?: ScoringTimings },
    tx?: Repositories,
  ): Promise<ScoringRun | null> {
    const work = async (m: Repositories) => {
      const run = await m.scoringRuns.find(runId, { lock: true });
      if (!run) return null;
      const details = run.details as ScoringRunDetails;
      if (details.batchesDone?.includes(batchId)) return run;
      const failures = result.outcomes
        .filter((o) => o.status === 'failed')
        .map((o) => ({ embryoId: o.embryoId, reason: o.reason ?? 'unknown' }));
      const skipped = result.outcomes
        .filter((o) => o.status === 'skipped')
        .map((o) => ({ embryoId: o.embryoId, reason: o.reason ?? 'unknown' }));
      const t = details.timingsMs ?? { ...ZERO_TIMINGS };
      const r = result.timings;
      const next: ScoringRunDetails = {
        ...details,
        batchesRemaining: Math.max(0, (details.batchesRemaining ?? 1) - 1),
        batchesDone: [...(details.batchesDone ?? []), batchId],
        failures: [...(details.failures ?? []), ...failures].slice(0, MAX_LISTED),
        skipped: [...(details.skipped ?? []), ...skipped].slice(0, MAX_LISTED),
        timingsMs: r
          ? {
              loadMs: t.loadMs + r.loadMs,
              readMs: t.readMs + r.readMs,
              preprocessMs: t.preprocessMs + r.preprocessMs,
              inferenceMs: t.inferenceMs + r.inferenceMs,
              writeMs: t.writeMs + r.writeMs,
              batchesWallMs: t.batchesWallMs + r.wallMs,
            }
          : t,
      };
      await m.scoringRuns.update(runId, {
        details: next as Record<string, unknown>,
        embryosFailed: run.embryosFailed + failures.length,
        executionProvider: result.executionProvider ?? run.executionProvider ?? undefined,
      });
      if (next.batchesRemaining === 0 && run.status === 'RUNNING') await this.close(m, runId);
      return m.scoringRuns.find(runId);
    };
    return tx ? work(tx) : this.store.transaction(work);
  }

  /** Notes a transient error while the queue retries the batch. */
  async noteRetry(runId: string, reason: string): Promise<void> {
    await this.store.transaction(async (m) => {
      const run = await m.scoringRuns.find(runId, { lock: true });
      if (run) await m.scoringRuns.update(runId, { details: { ...run.details, lastError: reason } });
    });
  }

  /** The run cannot go on (no active model, a model that fails its contract): FAILED with the reason. */
  async fail(runId: string, reason: string): Promise<void> {
    await this.store.transaction(async (m) => {
      const run = await m.scoringRuns.find(runId, { lock: true });
      if (!run || run.status === 'SUCCEEDED' || run.status === 'PARTIAL' || run.status === 'FAILED') return;
      const counts = await m.predictions.countOfRun(runId);
      const finishedAt = new Date();
      await m.scoringRuns.update(runId, {
        status: 'FAILED',
        error: reason,
        embryosScored: counts.embryos,
        predictionsWritten: counts.predictions,
        finishedAt,
        startedAt: run.startedAt ?? finishedAt,
        durationMs: run.startedAt ? finishedAt.getTime() - run.startedAt.getTime() : 0,
      });
    });
  }

  private async close(m: Repositories, runId: string): Promise<void> {
    const run = await m.scoringRuns.find(runId, { lock: true });
    if (!run) return;
    const counts = await m.predictions.countOfRun(runId);
    const finishedAt = new Date();
    const durationMs = Math.max(0, finishedAt.getTime() - (run.startedAt ?? run.createdAt).getTime());
    const failed = run.embryosFailed;
    const status = failed === 0 ? 'SUCCEEDED' : counts.embryos > 0 ? 'PARTIAL' : 'FAILED';
    await m.scoringRuns.update(runId, {
      status,
      error: status === 'FAILED' ? `all ${failed} embryo(s) failed; see details.failures` : null,
      embryosScored: counts.embryos,
      predictionsWritten: counts.predictions,
      durationMs,
      embryosPerSecond: durationMs > 0 ? counts.embryos / (durationMs / 1000) : null,
      finishedAt,
    });
  }
}
