import type { DataSource } from 'typeorm';
import type { ScoringRun } from '../../src/entities';
import { loadConfig, type AppConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';

/** Shared settings of the queue tests: CPU, small inference batches, quiet logs. */
export function testConfig(over: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ LOG_LEVEL: 'silent' }), inferenceMaxBatch: 2, ...over };
}

export const quietLog = createLogger('silent');

/** Fast polling and retries so a test waits seconds, not minutes. */
export const FAST = {
  pollingIntervalSeconds: 0.5,
  policies: {
    'score-clinic': { retryDelay: 1, retryBackoff: false },
    'score-embryos': { retryDelay: 1, retryBackoff: false },
  },
} as const;

const DONE = ['SUCCEEDED', 'PARTIAL', 'FAILED'];

/** Polls the run until it is finished (or the time is up, then the test fails with its state). */
export async function waitForRun(ds: DataSource, runId: string, timeoutMs = 40_000): Promise<ScoringRun> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await ds.query(`SELECT * FROM scoring_run WHERE id = $1`, [runId]);
    if (row && DONE.includes(row.status)) {
      return {
        ...row,
        embryosScored: row.embryos_scored,
        predictionsWritten: row.predictions_written,
        embryosFailed: row.embryos_failed,
        executionProvider: row.execution_provider,
        embryosPerSecond: row.embryos_per_second,
        durationMs: row.duration_ms,
        modelVersionId: row.model_version_id,
      } as ScoringRun;
    }
    if (Date.now() > until) throw new Error(`scoring run ${runId} did not finish: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
