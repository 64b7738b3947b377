import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { UserError } from '../../platform/errors';

/**
 * Resolves an import source's folder and checks that it lies inside one of the allowed roots
 * (IMPORT_ROOTS). Both sides are resolved through the file system first, so neither `..` nor a
 * symlink inside a root leads outside it; the check runs again at every scan, because a folder
 * that was fine when configured can later be replaced by a link elsewhere. Returns the real path.
 */
export async function confineToRoots(path: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0)
    throw new UserError('no import roots are configured: set IMPORT_ROOTS to the folders sources may read');
  if (!isAbsolute(path)) throw new UserError(`source path must be absolute (got "${path}")`);
  const real = await realpath(path).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`source folder ${path} cannot be read: ${e.code ?? e.message}`);
  });
  const info = await stat(real);
  if (!info.isDirectory()) throw new UserError(`source path ${path} is not a folder`);
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot !== null && isInside(realRoot, real)) return real;
  }
  throw new UserError(`source folder ${path} is outside the allowed import roots (${roots.join(', ')})`);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
