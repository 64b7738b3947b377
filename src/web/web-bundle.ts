import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../platform/version';

/** Where `npm run build` puts the web app (vite, web/vite.config.mts). */
export const DEFAULT_WEB_BUNDLE_DIR = join(PACKAGE_ROOT, 'dist', 'web');

export interface WebBundle {
  dir: string;
  /** Hashed, immutable files: /assets/<name>-<hash>.<ext>. */
  assetsDir: string;
  indexHtml: string;
  graphiqlHtml: string;
  built: boolean;
}

export function webBundle(dir = DEFAULT_WEB_BUNDLE_DIR): WebBundle {
  const indexHtml = join(dir, 'index.html');
  return {
    dir,
    assetsDir: join(dir, 'assets'),
    indexHtml,
    graphiqlHtml: join(dir, 'graphiql.html'),
    built: existsSync(indexHtml),
  };
}

/** Said instead of a page when the bundle is missing (a checkout that ran `tsc` only). */
export function notBuiltPage(what: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>amsnet-clinic</title></head>` +
    `<body><h1>${what} is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds what changed) and reload.</p></body></html>`
  );
}
