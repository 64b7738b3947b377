/**
 * Every job of the queue: its name, its payload type and its retry policy, in one place. The
 * runtime refuses to start a worker unless each of them has a handler.
 */

import type { ScoreClinicPayload, ScoreEmbryosPayload } from '../inference/scoring/scoring-tasks';
import type { ImportSourcePayload } from './import-source-job';

export type { ImportSourcePayload, ScoreClinicPayload, ScoreEmbryosPayload };

/** The nightly model monitoring (issue #16); `tick` names the scheduler tick that sent it. */
export interface MonitorModelsPayload {
  tick?: string;
}

export interface JobPayloads {
  'score-clinic': ScoreClinicPayload;
  'score-embryos': ScoreEmbryosPayload;
  'import-source': ImportSourcePayload;
  'monitor-models': MonitorModelsPayload;
}

export type JobName = keyof JobPayloads;

export interface JobPolicy {
  /** Attempts after the first, for transient errors (database restart, a killed worker). */
  retryLimit: number;
  /** Seconds before the first retry; doubled each time (backoff). */
  retryDelay: number;
  retryBackoff: boolean;
  /** A job active for longer is taken as crashed and retried (or failed). */
  expireInSeconds: number;
}

export const JOB_POLICIES: { [K in JobName]: JobPolicy } = {
  'score-clinic': { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 10 * 60 },
  // A batch holds a few embryos; full-size CPU inference takes seconds per embryo.
  'score-embryos': { retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 60 * 60 },
  // A scan records its own failures; the next tick is its retry. A first import of a large export is long.
  'import-source': { retryLimit: 0, retryDelay: 30, retryBackoff: false, expireInSeconds: 2 * 60 * 60 },
  'monitor-models': { retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 30 * 60 },
};

export const JOB_NAMES = Object.keys(JOB_POLICIES) as JobName[];

/** What a handler gets: the payload and where the job stands in its retries. */
export interface JobContext<T> {
  id: string;
  name: JobName;
  data: T;
  retryCount: number;
  retryLimit: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<object | void>;
export type JobHandlers = { [K in JobName]: JobHandler<JobPayloads[K]> };

export class MissingJobHandlerError extends Error {
  override name = 'MissingJobHandlerError';
}

/** Throws naming every registered job without a handler. */
export function assertEveryJobHandled(handlers: Partial<Record<string, unknown>>): asserts handlers is JobHandlers {
  const missing = JOB_NAMES.filter((name) => typeof handlers[name] !== 'function');
  if (missing.length)
    throw new MissingJobHandlerError(`no handler for job(s) ${missing.join(', ')}: refusing to start the worker`);
}
