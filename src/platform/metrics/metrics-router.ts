import { Router, type Express } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { httpMetricsMiddleware } from './http-metrics.middleware';
import type { AppMetrics } from './metrics';

export interface MetricsEndpointOptions {
  /**
   * When set, scrapes must send `Authorization: Bearer <token>`. The series hold no patient data,
   * but queue sizes and traffic are operational detail that need not be public.
   */
  bearerToken?: string;
  /**
   * Production: scrapes always need a token. Without METRICS_TOKEN every scrape is refused (401)
   * rather than the series being public.
   */
  requireToken?: boolean;
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsRouter(metrics: AppMetrics, options: MetricsEndpointOptions = {}): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (options.requireToken && !options.bearerToken) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer')
        .json({ error: 'metrics are closed: set METRICS_TOKEN and scrape with it as a bearer token' });
      return;
    }
    if (options.bearerToken && !bearerMatches(req.headers.authorization, options.bearerToken)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'metrics require a bearer token' });
      return;
    }
    try {
      const body = await metrics.registry.metrics();
      res.set('content-type', metrics.registry.contentType).send(body);
    } catch (error) {
      res
        .status(500)
        .type('text/plain')
        .send(`metrics collection failed: ${(error as Error).message}`);
    }
  });
  return router;
}

/**
 * Mounts timing of every request plus `GET /metrics` on an express app. Call it before the other
 * routes so their requests are timed.
 */
export function mountMetrics(app: Express, metrics: AppMetrics, options: MetricsEndpointOptions = {}): void {
  app.use(httpMetricsMiddleware(metrics));
  app.use(metricsRouter(metrics, options));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
