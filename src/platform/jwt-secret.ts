import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './config';
import type { Logger } from './logger';

/**
 * JWT_SECRET, or a secret generated once and kept under the data folder (mode 600), so tokens
 * survive restarts of a single-host install. Several API processes must share JWT_SECRET.
 */
export function resolveJwtSecret(config: AppConfig, log: Logger): string {
  if (config.jwtSecret) return config.jwtSecret;
  const file = join(config.dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  log.warn(
    { file },
    'JWT_SECRET is not set: using a generated secret stored in the data folder (set JWT_SECRET when running more than one API process)',
  );
  return readFileSync(file, 'utf8').trim();
}
