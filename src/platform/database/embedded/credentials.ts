import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../../create-once';
import { EmbeddedPostgresError, systemReason, systemRemedy } from './start-failure';

/** The passwords of the embedded database's roles, generated once per data folder. */
export interface EmbeddedCredentials {
  /** The `postgres` superuser: creates roles and the database, owns the schema, runs migrations. */
  superuser: string;
  /** The application's role (`amsnet_app`): rows only, append-only audit log. */
  app: string;
}

/** The fixed superuser password of data folders created before the passwords were generated. */
export const LEGACY_SUPERUSER_PASSWORD = 'amsnet-embedded';

export const CREDENTIALS_FILE = 'postgres-credentials.json';

/**
 * Reads DATA_DIR/postgres-credentials.json, or creates it (mode 600, exclusively: of two processes
 * starting together one writes, both read the same) with new random passwords. Written before the
 * cluster is created, so a new cluster never has a password that is not on disk.
 */
export function loadOrCreateCredentials(dataDir: string): EmbeddedCredentials {
  const file = join(dataDir, CREDENTIALS_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot create the data folder ${dataDir} (${systemReason(error)})`,
      systemRemedy(error, 'Set DATA_DIR to a folder this user can write.'),
    );
  }
  let text: string;
  try {
    text = readOrCreateSecretFile(file, () => `${JSON.stringify({ superuser: newPassword(), app: newPassword() })}\n`);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `cannot write ${file} (${systemReason(error)})`,
      systemRemedy(error, 'Set DATA_DIR to a folder this user can write.'),
    );
  }
  return parse(file, text);
}

function parse(file: string, text: string): EmbeddedCredentials {
  try {
    const value = JSON.parse(text) as Partial<EmbeddedCredentials>;
    if (typeof value.superuser === 'string' && value.superuser && typeof value.app === 'string' && value.app) {
      return { superuser: value.superuser, app: value.app };
    }
  } catch {
    // an unreadable file is reported below
  }
  throw new EmbeddedPostgresError(
    `${file} is not a credentials file written by amsnet`,
    'Restore it from a backup of the data folder (without it the database cannot be signed in to).',
  );
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}
