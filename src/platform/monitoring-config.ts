import { ConfigError } from './errors';

/**
 * Alert thresholds of the nightly model monitoring (issue #16), from the environment:
 * MONITOR_MIN_DAY3_ROC_AUC (default 0.7), MONITOR_MAX_BRIER (0.25), MONITOR_MAX_PSI (0.25), and
 * MONITOR_MIN_OUTCOMES (10): performance alerts need at least that many new outcomes, so one bad
 * night with three outcomes does not page anybody.
 */
export interface MonitoringThresholds {
  minDay3RocAuc: number;
  maxBrier: number;
  maxPsi: number;
  minOutcomes: number;
}

export const DEFAULT_MONITORING_THRESHOLDS: MonitoringThresholds = {
  minDay3RocAuc: 0.7,
  maxBrier: 0.25,
  maxPsi: 0.25,
  minOutcomes: 10,
};

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(name, `must be a number from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function monitoringThresholds(env: NodeJS.ProcessEnv = process.env): MonitoringThresholds {
  const d = DEFAULT_MONITORING_THRESHOLDS;
  return {
    minDay3RocAuc: number(env, 'MONITOR_MIN_DAY3_ROC_AUC', d.minDay3RocAuc, 0, 1),
    maxBrier: number(env, 'MONITOR_MAX_BRIER', d.maxBrier, 0, 1),
    maxPsi: number(env, 'MONITOR_MAX_PSI', d.maxPsi, 0, 100),
    minOutcomes: Math.round(number(env, 'MONITOR_MIN_OUTCOMES', d.minOutcomes, 1, 1_000_000)),
  };
}
