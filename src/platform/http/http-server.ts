import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { buildApiSchema } from '../../graphql/schema';
import type { AppConfig } from '../config';
import { migrationsApplied } from '../database/data-source';
import type { Logger } from '../logger';

export interface HttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** HTTP: /healthz (alive), /readyz (database reachable and migrated), /graphql (Apollo). */
export async function startHttpServer(deps: { config: AppConfig; dataSource: DataSource; log: Logger }): Promise<HttpServer> {
  const { config, dataSource, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);

  app.use((req, res, next) => {
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    next();
  });

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

  const apollo = new ApolloServer({
    schema: await buildApiSchema(),
    introspection: !config.production,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, { context: async () => ({}) }));

  await new Promise<void>((resolve) => httpServer.listen(config.port, resolve));
  const port = (httpServer.address() as AddressInfo).port;
  log.info({ port }, `HTTP listening on http://localhost:${port} (GraphQL at /graphql)`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await apollo.stop(); // drains and closes the HTTP server
    },
  };
}
