import type { RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY } from './security-headers';
import { notBuiltPage, type WebBundle } from './web-bundle';

/** GraphiQL's stylesheet embeds its fonts and icons as data: URIs (inside the bundle, still nothing from outside). */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "img-src 'self' blob:",
  "img-src 'self' blob: data:",
).replace("font-src 'self'", "font-src 'self' data:");

/**
 * GET /graphql from a browser (HTML preferred, no query in the URL): GraphiQL, bundled with the web
 * app (web/graphiql), for integrators in development. Every other request goes on to the API.
 * Not mounted in production, where there is no explorer and no introspection.
 */
export function graphiqlHandler(bundle: WebBundle): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' || req.query.query !== undefined || req.accepts(['json', 'html']) !== 'html')
      return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', GRAPHIQL_CONTENT_SECURITY_POLICY);
    if (!existsSync(bundle.graphiqlHtml)) return void res.status(503).type('html').send(notBuiltPage('GraphiQL'));
    res.sendFile(bundle.graphiqlHtml);
  };
}
