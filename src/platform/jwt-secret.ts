import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from './config';
import { readOrCreateSecretFile } from './create-once';
import type { Logger } from './logger';

/**
 * JWT_SECRET, or a secret generated once and kept under the data folder (mode 600), so tokens
 * survive restarts of a single-host install. Created exclusively: two processes starting together
 * on one data folder use the same secret. Several hosts must share JWT_SECRET.
 */
export function resolveJwtSecret(config: AppConfig, log: Logger): string {
  if (config.jwtSecret) return config.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  const secret = readOrCreateSecretFile(file, () => randomBytes(48).toString('base64url')).trim();
  log.warn(
    { file },
    'JWT_SECRET is not set: using a generated secret stored in the data folder (set JWT_SECRET when running more than one API process)',
  );
  return secret;
}
