import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The content of `file`, which is created with `make()` (mode 600) when it does not exist yet.
 * Several processes starting together agree on one content: each writes a complete temporary file
 * and hard-links it into place, which succeeds for exactly one of them; the others read the
 * winner's. A reader never sees a half-written file, and an existing file is never overwritten.
 */
export function readOrCreateSecretFile(file: string, make: () => string): string {
  mkdirSync(dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const content = make();
  try {
    writeFileSync(staging, content, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(staging, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A file system without hard links: an exclusive create still lets only one process write.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
        writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
      } else throw error;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    try {
      unlinkSync(staging);
    } catch {
      // already gone
    }
  }
  // A file made readable by others (copied, restored from a backup) is closed again.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return readFileSync(file, 'utf8');
}
