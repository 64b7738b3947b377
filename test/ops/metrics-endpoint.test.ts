import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSchema } from 'graphql';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import PgBoss from 'pg-boss';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import {
  createMetrics,
  graphqlMetricsPlugin,
  installHttpMetrics,
  METRIC_NAMES,
  readQueueDepth,
  startMetricsServer,
  type AppMetrics,
} from '../../src/platform/metrics';
import { startHttpServer } from '../../src/app/http-server';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_JWT_SECRET } from '../helpers/graphql-client';

/** A real express + Apollo app wired the way the API server wires metrics. */
async function startApp(metrics: AppMetrics, dataSource: DataSource, bearerToken?: string, requireToken?: boolean) {
  const app = express();
  installHttpMetrics(app, { dataSource, metrics, bearerToken, requireToken });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const apollo = new ApolloServer({
    schema: buildSchema('type Query { ping: String }'),
    rootValue: { ping: () => 'pong' },
    plugins: [graphqlMetricsPlugin(metrics)],
  });
  await apollo.start();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: async () => {
      await apollo.stop();
      await new Promise((r) => server.close(r));
    },
  };
}

const gql = (url: string, body: object) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('GET /metrics', () => {
  let db: TestDatabase;
  let boss: PgBoss | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await db.destroy();
  });

  it('exposes every named series with values from HTTP, GraphQL, the queue, the pool, scoring and import', async () => {
    const metrics = createMetrics();
    boss = new PgBoss({ connectionString: db.url, max: 2, supervise: false, schedule: false });
    await boss.start();
    await boss.createQueue('scoring');
    await boss.send('scoring', { embryoId: 'x' });
    await boss.send('scoring', { embryoId: 'y' });
    metrics.recordScoring(12, 3, 'cpu');
    metrics.recordImport(700, 2, 'FOLDER');
    metrics.inferenceDuration.observe({ provider: 'cpu' }, 42);
    metrics.jobsCompleted.inc({ queue: 'scoring', outcome: 'succeeded' });

    const app = await startApp(metrics, db.dataSource);
    try {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await gql(app.url, { query: 'query Ping { ping }', operationName: 'Ping' })).status).toBe(200);
      await gql(app.url, { query: '{ nosuchfield }' });
      await db.dataSource.query('SELECT 1'); // the pool has opened a connection

      const res = await fetch(`${app.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
      expect(text).toMatch(
        /amsnet_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
      );
      expect(text).toMatch(
        /amsnet_graphql_operation_duration_seconds_count\{operation="ping",type="query",outcome="ok"\} 1/,
      );
      expect(text).toMatch(
        /amsnet_graphql_operation_duration_seconds_count\{operation="unknown",type="unknown",outcome="error"\} 1/,
      );
      expect(text).toMatch(/amsnet_queue_depth\{queue="scoring",state="created"\} 2/);
      expect(text).toMatch(/amsnet_scoring_embryos_total\{provider="cpu"\} 12/);
      expect(text).toMatch(/amsnet_scoring_embryos_per_second\{provider="cpu"\} 4/);
      expect(text).toMatch(/amsnet_import_frames_per_second\{kind="FOLDER"\} 350/);
      expect(text).toMatch(/amsnet_inference_duration_milliseconds_bucket\{le="50",provider="cpu"\} 1/);
      expect(text).toMatch(/amsnet_jobs_completed_total\{queue="scoring",outcome="succeeded"\} 1/);
      const total = Number(/amsnet_db_pool_connections\{state="total"\} (\d+)/.exec(text)?.[1]);
      expect(total).toBeGreaterThanOrEqual(1);
    } finally {
      await app.stop();
    }
  });

  it('labels operations by a root field of the schema, never by the name a client chose', async () => {
    const metrics = createMetrics();
    const app = await startApp(metrics, db.dataSource);
    try {
      for (let i = 0; i < 50; i++)
        await gql(app.url, { query: `query Random${i}x { ping }`, operationName: `Random${i}x` });
      await gql(app.url, { query: `query Unknown${'z'.repeat(200)} { nosuchfield }` });
      const text = await (await fetch(`${app.url}/metrics`)).text();
      expect(text).not.toMatch(/Random\d+x|Unknownz/);
      const series = text.split('\n').filter((l) => l.startsWith('amsnet_graphql_operation_duration_seconds_count'));
      expect(series).toEqual([
        'amsnet_graphql_operation_duration_seconds_count{operation="ping",type="query",outcome="ok"} 50',
        'amsnet_graphql_operation_duration_seconds_count{operation="unknown",type="unknown",outcome="error"} 1',
      ]);
    } finally {
      await app.stop();
    }
  });

  it('in production, refuses every scrape when no METRICS_TOKEN is set', async () => {
    const app = await startApp(createMetrics(), db.dataSource, undefined, true);
    try {
      const res = await fetch(`${app.url}/metrics`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('METRICS_TOKEN');
    } finally {
      await app.stop();
    }
    // the API server wires it from NODE_ENV
    const config = loadConfig({ PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', NODE_ENV: 'production' });
    const server = await startHttpServer({
      config,
      dataSource: db.dataSource,
      log: createLogger('silent'),
      host: '127.0.0.1',
    });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    } finally {
      await server.stop();
    }
    const open = await startApp(createMetrics(), db.dataSource, undefined, false);
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it('reports an empty queue before pg-boss has created its tables, not an error', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await readQueueDepth(fresh.dataSource)).toEqual([]);
    } finally {
      await fresh.destroy();
    }
  });

  it('refuses a scrape without the configured bearer token and accepts the right one', async () => {
    const app = await startApp(createMetrics(), db.dataSource, 'scrape-secret-0123456789');
    try {
      expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain(METRIC_NAMES.httpRequestDuration);
    } finally {
      await app.stop();
    }
  });

  it("serves a worker's own metrics on a /metrics-only listener", async () => {
    const metrics = createMetrics();
    metrics.jobsCompleted.inc({ queue: 'score-embryos', outcome: 'failed' });
    const server = await startMetricsServer({ dataSource: db.dataSource, port: 0, host: '127.0.0.1', metrics });
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toMatch(/amsnet_jobs_completed_total\{queue="score-embryos",outcome="failed"\} 1/);
      expect(text).toMatch(/amsnet_db_pool_connections\{state="total"\} \d+/);
      expect((await fetch(`http://127.0.0.1:${server.port}/graphql`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('logs one line per request with its request id (probes at debug only)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    const app = express();
    app.use((req, res, next) => {
      res.locals.requestId = (req.headers['x-request-id'] as string | undefined) ?? 'generated';
      next();
    });
    installHttpMetrics(app, { dataSource: db.dataSource, metrics: createMetrics(), accessLog: log });
    app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/cycles/:id', (_req, res) => void res.status(404).json({}));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${url}/cycles/123`, { headers: { 'x-request-id': 'req-abc-1' } });
      await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'req-probe' } });
      await new Promise((r) => setImmediate(r));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        requestId: 'req-abc-1',
        method: 'GET',
        route: '/cycles/:id',
        status: 404,
        msg: 'request',
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('keeps the sets of two instances apart (no process-wide leakage between tests)', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.recordImport(10, 1, 'DICOM');
    expect(await a.registry.metrics()).toMatch(/amsnet_import_frames_total\{kind="DICOM"\} 10/);
    expect(await b.registry.metrics()).not.toMatch(/kind="DICOM"/);
  });
});
