import type { DataSource } from 'typeorm';
import type { ScoringRun } from '../../entities';

export interface ScoringRequestInput {
  clinicId: string;
  cycleId?: string;
  embryoIds?: string[];
  requestedBy: string | null;
  trigger: 'request';
}

/** Creates a QUEUED scoring_run and enqueues its job (src/jobs/scoring-requests.ts). */
export type ScoringRequester = (input: ScoringRequestInput) => Promise<ScoringRun>;

/**
 * The job module is loaded when the first request arrives, through the path and signature agreed
 * with the scoring work: `requestScoring(deps: { dataSource, databaseUrl? }, input)`. Loading it
 * lazily keeps the API's start independent of the queue's (pg-boss connects on first use there).
 */
export function jobsScoringRequester(deps: { dataSource: DataSource; databaseUrl?: string }): ScoringRequester {
  return async (input) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jobs = require('../../jobs/scoring-requests') as {
      requestScoring(d: { dataSource: DataSource; databaseUrl?: string }, i: ScoringRequestInput): Promise<ScoringRun>;
    };
    return jobs.requestScoring(deps, input);
  };
}
