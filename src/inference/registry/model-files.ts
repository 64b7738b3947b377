import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../../platform/errors';

/**
 * Where the API reads model files to register: `DATA_DIR/models`. Administrators copy a file there
 * (scp, a shared volume) and register it by its name; ONNX files of full-size models are ~100 MB,
 * too big for a JSON request. Paths may not leave the folder (no `..`, no absolute paths, no symlinks
 * out), so the API cannot be used to read other files of the server.
 */
export function modelUploadDir(dataDir: string): string {
  return join(resolve(dataDir), 'models');
}

export async function readModelUpload(dataDir: string, relativePath: string): Promise<Buffer> {
  const root = modelUploadDir(dataDir);
  if (relativePath.trim() === '' || isAbsolute(relativePath) || relativePath.split(/[\\/]/).includes('..')) {
    throw new UserError(
      `give the file's name inside the server's model folder (${root}), without ".." or an absolute path`,
    );
  }
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(join(root, relativePath));
  } catch {
    throw new UserError(`no file ${relativePath} in the server's model folder`);
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep)[0] === '..') {
    throw new UserError(`no file ${relativePath} in the server's model folder`);
  }
  try {
    return await readFile(real);
  } catch {
    throw new UserError(`cannot read ${relativePath} from the server's model folder`);
  }
}
