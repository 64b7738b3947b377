import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

/**
 * One log line per finished HTTP request, carrying the request id that the response header, the
 * GraphQL context's logger and the audit events of that request share. Health probes and scrapes
 * log at debug only, so they do not drown the log.
 */
export function accessLogMiddleware(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath !== undefined ? `${req.baseUrl}${routePath}` : req.baseUrl || req.path;
      const entry = {
        requestId: res.locals.requestId as string | undefined,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
      };
      if (route === '/healthz' || route === '/readyz' || route === '/metrics') log.debug(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}
