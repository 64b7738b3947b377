import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EmbeddedPostgresError } from './start-failure';

const run = promisify(execFile);

/** The unprivileged system user that runs PostgreSQL when amsnet runs as root. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

export const SERVICE_USER_NAME = 'postgres';

/**
 * PostgreSQL refuses to run as root. As root, returns the `postgres` system user (created when
 * missing); otherwise undefined: the server runs as the current user.
 */
export async function serviceUserWhenRoot(): Promise<ServiceUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(SERVICE_USER_NAME);
  if (existing) return existing;
  try {
    if (
      !(await run('getent', ['group', SERVICE_USER_NAME]).then(
        () => true,
        () => false,
      ))
    ) {
      await run('groupadd', ['--system', SERVICE_USER_NAME]);
    }
    await run('useradd', [
      '--system',
      '--gid',
      SERVICE_USER_NAME,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SERVICE_USER_NAME,
    ]);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root and creating the system user "${SERVICE_USER_NAME}" failed (${detail})`,
      `Create it (useradd --system ${SERVICE_USER_NAME}), run amsnet as a non-root user, or set DATABASE_URL.`,
    );
  }
  const created = await lookUp(SERVICE_USER_NAME);
  if (!created)
    throw new EmbeddedPostgresError(
      `the system user "${SERVICE_USER_NAME}" was created but cannot be found`,
      `Check it with \`id ${SERVICE_USER_NAME}\`.`,
    );
  return created;
}

async function lookUp(name: string): Promise<ServiceUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}
