import { Gauge } from 'prom-client';
import type { AppMetrics } from './metrics';

/** What the gauges read of each import source at scrape time. */
export interface ImportSourceHealthRow {
  id: string;
  clinicId: string;
  name: string;
  paused: boolean;
  createdAt: Date;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
}

export const IMPORT_SOURCE_METRIC_NAMES = {
  lastSuccessAge: 'amsnet_import_source_last_success_age_seconds',
  consecutiveFailures: 'amsnet_import_source_consecutive_failures',
} as const;

const watched = new WeakMap<AppMetrics, { read?: () => Promise<ImportSourceHealthRow[]> }>();

/**
 * Per-source gauges, read from the database at scrape time (so every API process reports every
 * source, whichever worker scanned it): seconds since the last successful scan (since creation
 * for a source that never succeeded, so an alert fires for it too) and the failure streak.
 * Paused sources are left out: their age grows by design. Registering again replaces the reader.
 */
export function watchImportSources(metrics: AppMetrics, read: () => Promise<ImportSourceHealthRow[]>): void {
  const existing = watched.get(metrics);
  if (existing) {
    existing.read = read;
    return;
  }
  const state: { read?: () => Promise<ImportSourceHealthRow[]> } = { read };
  watched.set(metrics, state);
  const labelNames = ['source_id', 'clinic_id', 'source'] as const;
  const current = () => state.read?.() ?? Promise.resolve([]);
  new Gauge({
    name: IMPORT_SOURCE_METRIC_NAMES.lastSuccessAge,
    help: 'Seconds since the last successful scan of each import source (since its creation if none yet)',
    labelNames,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const s of await current()) {
        if (s.paused) continue;
        const since = (s.lastSuccessAt ?? s.createdAt).getTime();
        this.set({ source_id: s.id, clinic_id: s.clinicId, source: s.name }, Math.max(0, (now - since) / 1000));
      }
    },
  });
  new Gauge({
    name: IMPORT_SOURCE_METRIC_NAMES.consecutiveFailures,
    help: 'Failed scans in a row of each import source (0 after a success)',
    labelNames,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const s of await current()) {
        if (s.paused) continue;
        this.set({ source_id: s.id, clinic_id: s.clinicId, source: s.name }, s.consecutiveFailures);
      }
    },
  });
}
