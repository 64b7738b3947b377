import type { RequestHandler } from 'express';
import type { AppMetrics } from './metrics';

/**
 * Times every HTTP request. The route label is the matched route pattern (or the mount path), never
 * the raw URL, so ids in paths cannot blow up the number of series.
 */
export function httpMetricsMiddleware(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath !== undefined ? `${req.baseUrl}${routePath}` : req.baseUrl || 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
