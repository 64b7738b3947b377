import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config';
import { startHttpServer, type HttpServer } from '../../src/app/http-server';
import { createLogger } from '../../src/platform/logger';
import { GRAPHIQL_CONTENT_SECURITY_POLICY } from '../../src/web/graphiql.route';
import { CONTENT_SECURITY_POLICY } from '../../src/web/security-headers';
import { DEFAULT_WEB_BUNDLE_DIR } from '../../src/web/web-bundle';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_JWT_SECRET } from '../helpers/graphql-client';

/**
 * How `amsnet serve` ships the web app (no browser needed): same origin as the API, hashed assets
 * cached as immutable, index.html revalidated, the app's routes answered with index.html, a strict
 * CSP on everything, GraphiQL for browsers at /graphql in development only, and a bundle that
 * references nothing outside itself.
 */
let db: TestDatabase;
let dev: HttpServer;
let prod: HttpServer;
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

beforeAll(async () => {
  db = await createTestDatabase();
  const log = createLogger('silent');
  const env = { PORT: '0', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' };
  dev = await startHttpServer({ config: loadConfig(env), dataSource: db.dataSource, log, host: '127.0.0.1' });
  prod = await startHttpServer({
    config: loadConfig({ ...env, NODE_ENV: 'production' }),
    dataSource: db.dataSource,
    log,
    host: '127.0.0.1',
  });
});
afterAll(async () => {
  await dev?.stop();
  await prod?.stop();
  await db?.destroy();
});

describe('the web app over HTTP', () => {
  it('answers / and every app route with index.html, revalidated on each load, under a strict CSP', async () => {
    for (const path of ['/', '/lab', '/lab/cycles/1f0c9c1e-0000-4000-8000-000000000000', '/admin/audit', '/sign-in']) {
      const response = await fetch(`${prod.url}${path}`, { headers: html });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text()).toContain('<div id="root"></div>');
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'.*script-src 'self'.*style-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:|\*/);
  });

  it('serves hashed assets as immutable for a year, and 404 for what does not exist', async () => {
    const index = await (await fetch(`${prod.url}/`, { headers: html })).text();
    const assets = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(3); // script, stylesheet, icon
    for (const asset of assets) {
      expect(asset).toMatch(/-[\w-]{8}\.(js|css|svg)$/);
      const response = await fetch(`${prod.url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${prod.url}/assets/index-00000000.js`)).status).toBe(404);
    expect((await fetch(`${prod.url}/favicon.ico`, { headers: html })).status).toBe(404);
    expect((await fetch(`${prod.url}/graphiql.html`, { headers: html })).status).toBe(404);
    expect((await fetch(`${prod.url}/lab`, { method: 'POST', headers: html })).status).toBe(404);
  });

  it('leaves the API routes to the API', async () => {
    expect(await (await fetch(`${prod.url}/healthz`, { headers: html })).json()).toEqual({ status: 'ok' });
    const frame = await fetch(`${prod.url}/frames/1.png`, { headers: html });
    expect(frame.status).toBe(401);
    expect(frame.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('offers GraphiQL at GET /graphql to browsers in development only', async () => {
    const page = await fetch(`${dev.url}/graphql`, { headers: html });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(GRAPHIQL_CONTENT_SECURITY_POLICY);
    expect(GRAPHIQL_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:/);
    const text = await page.text();
    expect(text).toMatch(/<title>GraphiQL/);
    expect(text).toMatch(/<script type="module" crossorigin src="\/assets\/graphiql-[\w-]{8}\.js">/);
    // a client that asks for JSON still reaches the API; production has no explorer at all
    expect(
      (await fetch(`${dev.url}/graphql`, { headers: { accept: 'application/json' } })).headers.get('content-type'),
    ).not.toMatch(/html/);
    const prodPage = await fetch(`${prod.url}/graphql`, { headers: html });
    expect(await prodPage.text()).not.toMatch(/<html|graphiql/i);
  });

  it('builds a bundle that loads nothing from elsewhere: no remote script, stylesheet, font or image', () => {
    const files = readdirSync(join(DEFAULT_WEB_BUNDLE_DIR, 'assets')).map((f) =>
      join(DEFAULT_WEB_BUNDLE_DIR, 'assets', f),
    );
    for (const file of [
      join(DEFAULT_WEB_BUNDLE_DIR, 'index.html'),
      join(DEFAULT_WEB_BUNDLE_DIR, 'graphiql.html'),
      ...files.filter((f) => /\.(html|css)$/.test(f)),
    ]) {
      const text = readFileSync(file, 'utf8');
      expect({
        file,
        remote: text.match(
          /(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"' >]+|url\(\s*["']?(?:https?:)?\/\/[^)]+\)|@import\s+(?:url\()?["']?(?:https?:)?\/\//g,
        ),
      }).toEqual({ file, remote: null });
    }
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect({
        file,
        cdn: readFileSync(file, 'utf8').match(
          /https?:\/\/(?:[\w-]+\.)*(?:googleapis|gstatic|jsdelivr|unpkg|cdnjs|apollographql|cloudflare)\.[a-z]+/g,
        ),
      }).toEqual({ file, cdn: null });
    }
  });
});
