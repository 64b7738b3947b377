import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json, found by walking up from this file (works from src/ and from dist/src/). */
function findPackageRoot(): string | undefined {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot() ?? process.cwd();

export const APP_VERSION = existsSync(join(PACKAGE_ROOT, 'package.json'))
  ? (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version
  : 'unknown';
