export * from './metrics';
export { httpMetricsMiddleware } from './http-metrics.middleware';
export { graphqlMetricsPlugin } from './graphql-metrics.plugin';
export { metricsRouter, mountMetrics, type MetricsEndpointOptions } from './metrics-router';
export { readQueueDepth } from './queue-depth.repository';
export { databasePoolStats } from './database-pool';
export { installHttpMetrics, startMetricsServer } from './install-metrics';
export { accessLogMiddleware } from './access-log.middleware';
export { watchImportSources, IMPORT_SOURCE_METRIC_NAMES, type ImportSourceHealthRow } from './import-source-metrics';
