import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { UserError } from '../platform/errors';

/** argon2id with the library's defaults (64 MiB, t=3), the OWASP-recommended password hash. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed hash is a failed login, not a crash
  }
}

/** A readable one-time password for first-start admin accounts. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** Long enough to resist guessing; bounded so one request cannot make argon2 hash megabytes. */
export function checkNewPassword(password: string): void {
  if (password.length < 12) throw new UserError('passwords must be at least 12 characters');
  if (password.length > 1024) throw new UserError('passwords must be at most 1024 characters');
}
