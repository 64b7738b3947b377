import express, { type Express } from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { accessLogMiddleware } from './access-log.middleware';
import { databasePoolStats } from './database-pool';
import { processMetrics, type AppMetrics } from './metrics';
import { metricsRouter, mountMetrics, type MetricsEndpointOptions } from './metrics-router';
import { readQueueDepth } from './queue-depth.repository';

/**
 * Everything the API server needs for observability, in one call made right after the request-id
 * middleware: pool and queue gauges read from this process's DataSource, every request timed (and,
 * with `accessLog`, logged with its request id), `GET /metrics`. Returns the metrics, for
 * `graphqlMetricsPlugin(metrics)` in Apollo's plugins.
 */
export function installHttpMetrics(
  app: Express,
  deps: { dataSource: DataSource; metrics?: AppMetrics; accessLog?: Logger } & MetricsEndpointOptions,
): AppMetrics {
  const metrics = deps.metrics ?? processMetrics();
  if (deps.accessLog) app.use(accessLogMiddleware(deps.accessLog));
  metrics.watchDatabasePool(() => databasePoolStats(deps.dataSource));
  metrics.watchQueueDepth(() => readQueueDepth(deps.dataSource));
  mountMetrics(app, metrics, { bearerToken: deps.bearerToken, requireToken: deps.requireToken });
  return metrics;
}

/**
 * A `/metrics`-only listener for processes without the API (`amsnet worker`), so Prometheus can
 * scrape each worker's job outcomes and inference timings.
 */
export async function startMetricsServer(
  deps: { dataSource: DataSource; port: number; host?: string; metrics?: AppMetrics } & MetricsEndpointOptions,
): Promise<{ port: number; stop(): Promise<void> }> {
  const metrics = deps.metrics ?? processMetrics();
  metrics.watchDatabasePool(() => databasePoolStats(deps.dataSource));
  metrics.watchQueueDepth(() => readQueueDepth(deps.dataSource));
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRouter(metrics, { bearerToken: deps.bearerToken, requireToken: deps.requireToken }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(deps.port, deps.host ?? '0.0.0.0', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
