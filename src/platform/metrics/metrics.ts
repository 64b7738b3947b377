import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus series of the system, by name. Every process builds one set with `createMetrics()`
 * (tests build their own, so nothing leaks between them); the app uses `processMetrics()`.
 *
 * Where each is observed:
 *  - httpRequestDuration        express middleware (`httpMetricsMiddleware`), every request
 *  - graphqlOperationDuration   Apollo plugin (`graphqlMetricsPlugin`), every GraphQL operation
 *  - jobsCompleted              job handlers (src/jobs), once per finished job: outcome = succeeded | failed
 *  - queueDepth                 read at scrape time from pg-boss's tables (`watchQueueDepth`)
 *  - scoredEmbryos / scoringEmbryosPerSecond   scoring service, after each scoring batch (`recordScoring`)
 *  - inferenceDuration          predictor callers, around every `predict`/`step` call, by execution provider
 *  - importedFrames / importFramesPerSecond    import runs, at their end (`recordImport`)
 *  - dbPoolConnections          read at scrape time from the pg pool (`watchDatabasePool`)
 */
export interface AppMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  graphqlOperationDuration: Histogram<'operation' | 'type' | 'outcome'>;
  jobsCompleted: Counter<'queue' | 'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
  scoredEmbryos: Counter<'provider'>;
  scoringEmbryosPerSecond: Gauge<'provider'>;
  inferenceDuration: Histogram<'provider'>;
  importedFrames: Counter<'kind'>;
  importFramesPerSecond: Gauge<'kind'>;
  dbPoolConnections: Gauge<'state'>;
  /** Registers the source that `queueDepth` reads at every scrape (replaces an earlier one). */
  watchQueueDepth(source: QueueDepthSource): void;
  /** Registers the pool that `dbPoolConnections` reads at every scrape (replaces an earlier one). */
  watchDatabasePool(source: PoolStatsSource): void;
  /** One finished scoring batch: counts embryos and sets the last observed throughput. */
  recordScoring(embryos: number, seconds: number, provider: string): void;
  /** One finished import run: counts frames and sets the last observed throughput. */
  recordImport(frames: number, seconds: number, kind: string): void;
}

export interface QueueDepthRow {
  queue: string;
  state: string;
  count: number;
}
export type QueueDepthSource = () => Promise<QueueDepthRow[]>;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}
export type PoolStatsSource = () => PoolStats | undefined;

/** Names of every series, so dashboards, docs and tests agree on them. */
export const METRIC_NAMES = {
  httpRequestDuration: 'amsnet_http_request_duration_seconds',
  graphqlOperationDuration: 'amsnet_graphql_operation_duration_seconds',
  jobsCompleted: 'amsnet_jobs_completed_total',
  queueDepth: 'amsnet_queue_depth',
  scoredEmbryos: 'amsnet_scoring_embryos_total',
  scoringEmbryosPerSecond: 'amsnet_scoring_embryos_per_second',
  inferenceDuration: 'amsnet_inference_duration_milliseconds',
  importedFrames: 'amsnet_import_frames_total',
  importFramesPerSecond: 'amsnet_import_frames_per_second',
  dbPoolConnections: 'amsnet_db_pool_connections',
} as const;

const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// One AMSNet step is ~ms on a GPU and up to seconds for a full-size batch on a CPU.
const INFERENCE_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'amsnet_process_' });
  let queueSource: QueueDepthSource | undefined;
  let poolSource: PoolStatsSource | undefined;

  const httpRequestDuration = new Histogram({
    name: METRIC_NAMES.httpRequestDuration,
    help: 'HTTP request latency by method, matched route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const graphqlOperationDuration = new Histogram({
    name: METRIC_NAMES.graphqlOperationDuration,
    help: 'GraphQL operation latency by operation name, type (query/mutation) and outcome (ok/error)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const jobsCompleted = new Counter({
    name: METRIC_NAMES.jobsCompleted,
    help: 'Jobs finished by the workers of this process, by queue and outcome (succeeded/failed)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: METRIC_NAMES.queueDepth,
    help: 'Jobs waiting or running in the shared queue, by queue and state (read from PostgreSQL at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!queueSource) return;
      for (const row of await queueSource()) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  const scoredEmbryos = new Counter({
    name: METRIC_NAMES.scoredEmbryos,
    help: 'Embryos scored by this process, by execution provider',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const scoringEmbryosPerSecond = new Gauge({
    name: METRIC_NAMES.scoringEmbryosPerSecond,
    help: 'Throughput of the last scoring batch of this process (embryos per second)',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const inferenceDuration = new Histogram({
    name: METRIC_NAMES.inferenceDuration,
    help: 'Duration of one model call (predict or step) by execution provider, in milliseconds',
    labelNames: ['provider'] as const,
    buckets: INFERENCE_BUCKETS_MS,
    registers: [registry],
  });
  const importedFrames = new Counter({
    name: METRIC_NAMES.importedFrames,
    help: 'Frames stored by imports of this process, by import kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const importFramesPerSecond = new Gauge({
    name: METRIC_NAMES.importFramesPerSecond,
    help: 'Throughput of the last import run of this process (frames per second)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const dbPoolConnections = new Gauge({
    name: METRIC_NAMES.dbPoolConnections,
    help: "Connections of this process's database pool by state (total, idle, in_use, waiting clients)",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const stats = poolSource?.();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'in_use' }, stats.total - stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });

  return {
    registry,
    httpRequestDuration,
    graphqlOperationDuration,
    jobsCompleted,
    queueDepth,
    scoredEmbryos,
    scoringEmbryosPerSecond,
    inferenceDuration,
    importedFrames,
    importFramesPerSecond,
    dbPoolConnections,
    watchQueueDepth(source) {
      queueSource = source;
    },
    watchDatabasePool(source) {
      poolSource = source;
    },
    recordScoring(embryos, seconds, provider) {
      if (embryos <= 0) return;
      scoredEmbryos.inc({ provider }, embryos);
      if (seconds > 0) scoringEmbryosPerSecond.set({ provider }, embryos / seconds);
    },
    recordImport(frames, seconds, kind) {
      if (frames <= 0) return;
      importedFrames.inc({ kind }, frames);
      if (seconds > 0) importFramesPerSecond.set({ kind }, frames / seconds);
    },
  };
}

let processWide: AppMetrics | undefined;

/** The one set of metrics of this process (created on first use, with Node's default metrics). */
export function processMetrics(): AppMetrics {
  processWide ??= createMetrics({ defaultMetrics: true });
  return processWide;
}
