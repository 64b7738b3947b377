import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

/**
 * The clinic's web app (index.html) and the development GraphiQL (graphiql.html), built into
 * dist/web with hashed file names under assets/ (served immutable by src/web/web-app.route.ts).
 * Nothing is inlined as data: URIs and no script is inline, so the strict Content-Security-Policy
 * of src/web/security-headers.ts holds.
 */
export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: resolve(here, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      input: { index: resolve(here, 'index.html'), graphiql: resolve(here, 'graphiql.html') },
      // GraphiQL's dependencies mark themselves "use client" (a React server-components hint): meaningless here
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // `npx vite web` during development: the API of a running `amsnet serve` behind the dev server
  server: {
    proxy: { '/graphql': 'http://127.0.0.1:4000', '/frames': 'http://127.0.0.1:4000' },
  },
});
