import express, { type Router } from 'express';
import { extname } from 'node:path';
import { notBuiltPage, type WebBundle } from './web-bundle';

/** Paths the server answers itself; the web app's own routes are everything else without a file extension. */
const SERVER_PATHS = /^\/(graphql|frames|healthz|readyz|metrics|assets)(\/|$)/;

/**
 * The clinic's web app, same origin as the API: hashed assets cached for a year as immutable,
 * index.html revalidated on every load (no-cache) so a new release is picked up at once, and the
 * app's client-side routes (/lab, /embryos/…) answered with index.html.
 */
export function webAppRouter(bundle: WebBundle): Router {
  const router = express.Router();
  router.use(
    '/assets',
    express.static(bundle.assetsDir, { index: false, fallthrough: false, immutable: true, maxAge: '365d' }),
  );
  router.use((req, res, next) => {
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      SERVER_PATHS.test(req.path) ||
      extname(req.path) !== '' ||
      !req.accepts('html')
    )
      return next();
    res.setHeader('Cache-Control', 'no-cache');
    if (!bundle.built) return void res.status(503).type('html').send(notBuiltPage('The web app'));
    res.sendFile(bundle.indexHtml);
  });
  return router;
}
