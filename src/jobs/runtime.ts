import type { DataSource } from 'typeorm';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';

export interface JobRuntimeOptions {
  dataSource: DataSource;
  databaseUrl: string;
  config: AppConfig;
  log: Logger;
  /** Claim and run jobs in this process. */
  worker: boolean;
  /** Enqueue the cron-driven jobs from this process. */
  scheduler: boolean;
}

export interface JobRuntime {
  stop(): Promise<void>;
}

/** Starts the job queue with the worker and/or scheduler of this process. */
export async function startJobRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  options.log.warn('job queue not wired yet: no worker or scheduler started');
  return { stop: async () => undefined };
}
