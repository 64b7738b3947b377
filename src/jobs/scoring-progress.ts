import type { ScoringRun } from '../entities';
import type { Repositories } from '../entities/repositories';
import type { ScoringRunDetails } from '../inference/scoring/scoring-runs.service';

export interface RunProgress {
  run: ScoringRun;
  batchesTotal: number | null;
  batchesDone: number;
}

const FINISHED = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED']);

export function isFinished(run: ScoringRun): boolean {
  return FINISHED.has(run.status);
}

/** Polls a scoring run until it finishes; `onProgress` sees every poll. Resolves with the final row. */
export async function watchScoringRun(
  store: Pick<Repositories, 'scoringRuns'>,
  runId: string,
  onProgress: (p: RunProgress) => void,
  options: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<ScoringRun> {
  for (;;) {
    const run = await store.scoringRuns.find(runId);
    if (!run) throw new Error(`scoring run ${runId} does not exist`);
    const details = run.details as ScoringRunDetails;
    onProgress({ run, batchesTotal: details.batchesTotal ?? null, batchesDone: details.batchesDone?.length ?? 0 });
    if (isFinished(run)) return run;
    if (options.signal?.aborted) return run;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
