import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { API_LIMITS, type Api } from '../graphql/api';
import { frameImageHandler } from '../graphql/http/frame-image.route';
import { stowRsHandler } from '../graphql/http/stow-rs.route';
import { StowService } from '../ingest/dicom/stow.service';
import type { AppConfig } from '../platform/config';
import { migrationsApplied } from '../platform/database/data-source';
import { resolveJwtSecret } from '../platform/jwt-secret';
import type { Logger } from '../platform/logger';
import { graphqlMetricsPlugin, installHttpMetrics, watchImportSources } from '../platform/metrics';
import { graphiqlHandler } from '../web/graphiql.route';
import { securityHeaders } from '../web/security-headers';
import { webAppRouter } from '../web/web-app.route';
import { webBundle } from '../web/web-bundle';
import { buildApi, type ApiWiring } from './api';
import { acceptedRequestId } from '../platform/net/request-id';
import { createServices, type AppServices } from './services';

export interface HttpServer {
  url: string;
  port: number;
  api: Api;
  stop(): Promise<void>;
}

export interface HttpServerDeps {
  config: AppConfig;
  dataSource: DataSource;
  log: Logger;
  /** The process's services; default: built here over `dataSource` (and closed by `stop`). */
  services?: AppServices;
  /** Default: JWT_SECRET or the generated secret under DATA_DIR. */
  jwtSecret?: string;
  /** Where requestScoring goes; default: the job queue. */
  scoring?: ApiWiring['scoring'];
  /** Listen address; default all interfaces. */
  host?: string;
  /** The built web app; default dist/web of this package. */
  webBundleDir?: string;
}

/**
 * HTTP: /healthz (alive), /readyz (database reachable and migrated), /graphql (Apollo; GraphiQL for
 * browsers in development), /frames/:id.png (frame images, authenticated and clinic-scoped like the
 * API), POST /dicomweb/studies (STOW-RS for devices), /metrics (Prometheus), and the web app at /
 * (src/web).
 */
export async function startHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const { config, dataSource, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  // no ETag hashing of every API answer (they are `no-store`); static files keep theirs (serve-static)
  app.set('etag', false);
  // Behind a reverse proxy, req.ip (login rate limit per address, logs) must be the client's.
  app.set('trust proxy', config.trustProxy);
  const httpServer: Server = createServer(app);

  app.use((req, res, next) => {
    const requestId = acceptedRequestId(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });
  app.use(securityHeaders());

  // request timing, access log with request ids, pool/queue gauges and GET /metrics
  const metrics = installHttpMetrics(app, {
    dataSource,
    accessLog: log,
    bearerToken: config.metricsToken,
    requireToken: config.production,
  });
  if (config.production && !config.metricsToken) log.warn('METRICS_TOKEN is not set: /metrics answers 401 to everyone');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await dataSource.query('SELECT 1');
      if (!(await migrationsApplied(dataSource))) {
        res.status(503).json({ status: 'unavailable', reason: 'migrations pending' });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  const services = deps.services ?? createServices({ dataSource, databaseUrl: databaseUrlOf(dataSource), log });
  watchImportSources(metrics, () => services.store.importSources.health());
  const api = await buildApi({
    services,
    config,
    log,
    jwtSecret: deps.jwtSecret ?? resolveJwtSecret(config, log),
    scoring: deps.scoring,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), graphqlMetricsPlugin(metrics)],
  });
  await api.apollo.start();

  app.get('/frames/:id.png', frameImageHandler({ createContext: api.createContext, log }));
  // DICOMweb STOW-RS for devices with a credential of one clinic (reads its own body, with limits)
  app.post(
    '/dicomweb/studies',
    stowRsHandler({
      devices: services.deviceCredentials,
      stow: new StowService(services.imports),
      scoringAfterImport: services.scoringAfterImport,
      limits: config.stow,
      focalPlaneTag: config.dicomFocalPlaneTag,
      log,
    }),
  );
  const web = webBundle(deps.webBundleDir);
  if (!config.production) app.get('/graphql', graphiqlHandler(web));
  app.use(
    '/graphql',
    express.json({ limit: API_LIMITS.maxBodyBytes }),
    expressMiddleware(api.apollo, {
      context: ({ req, res }) =>
        api.createContext({
          authorization: req.headers.authorization,
          address: req.ip ?? 'unknown',
          requestId: res.locals.requestId as string,
        }),
    }),
  );
  // an oversized or malformed body is the caller's mistake, answered without internals
  app.use(
    (
      error: { type?: string; status?: number },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (error?.type === 'entity.too.large')
        return void res.status(413).json({
          errors: [
            {
              message: `request body larger than ${API_LIMITS.maxBodyBytes} bytes`,
              extensions: { code: 'BAD_REQUEST' },
            },
          ],
        });
      if (error?.type === 'entity.parse.failed')
        return void res
          .status(400)
          .json({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      next(error);
    },
  );
  app.use(webAppRouter(web));

  await new Promise<void>((resolve) =>
    deps.host ? httpServer.listen(config.port, deps.host, resolve) : httpServer.listen(config.port, resolve),
  );
  const port = (httpServer.address() as AddressInfo).port;
  log.info({ port }, `HTTP listening on http://localhost:${port} (GraphQL at /graphql)`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    api,
    async stop() {
      await api.apollo.stop(); // drains and closes the HTTP server
      if (!deps.services) await services.close();
    },
  };
}

function databaseUrlOf(dataSource: DataSource): string {
  const url = (dataSource.options as { url?: string }).url;
  if (!url) throw new Error('the DataSource has no URL: pass the services of the process');
  return url;
}
