import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddedLog } from './embedded-log';
import type { ServiceUser } from './service-user';

/** How many of a program's last output lines are kept to explain its failure. */
const KEPT_LINES = 80;

/** Spawns `file` as `user` (as the current user when undefined), with English messages. */
function spawnAs(file: string, args: string[], user: ServiceUser | undefined): ChildProcess {
  return spawn(file, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's stdout and stderr by line: the last lines are kept, each is handed to `onLine`. */
function collectLines(child: ChildProcess, onLine: (line: string) => void = () => {}): string[] {
  const kept: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    });
    stream?.on('end', () => partial && keep(partial));
  }
  function keep(line: string) {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    onLine(line);
  }
  return kept;
}

/**
 * Runs a short program to its end. Rejects only when it cannot be spawned at all (the errno error:
 * EACCES, ENOENT...); a non-zero exit resolves with its code and output.
 */
export function runToEnd(
  file: string,
  args: string[],
  user: ServiceUser | undefined,
  log?: EmbeddedLog,
): Promise<{ code: number | null; output: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawnAs(file, args, user);
    const output = collectLines(child, (line) => log?.debug({ postgres: line }));
    child.once('error', reject); // a failed spawn; without a listener Node would crash the process
    child.once('close', (code) => resolve({ code, output }));
  });
}

let parentDeathWrapper: Promise<string[]> | undefined;

/**
 * On Linux, `setpriv --pdeathsig INT` makes the kernel tell the server to shut down when this
 * process dies, even by SIGKILL, so that no orphaned server keeps holding the port and the data
 * folder. Empty where setpriv (util-linux) is missing or too old.
 */
function parentDeathPrefix(): Promise<string[]> {
  parentDeathWrapper ??= (async () => {
    if (process.platform !== 'linux') return [];
    for (const setpriv of ['/usr/bin/setpriv', '/bin/setpriv']) {
      if (!existsSync(setpriv)) continue;
      const prefix = [setpriv, '--pdeathsig', 'INT', '--'];
      const probe = await runToEnd(setpriv, [...prefix.slice(1), setpriv, '--version'], undefined).catch(
        () => undefined,
      );
      if (probe?.code === 0) return prefix;
    }
    return [];
  })();
  return parentDeathWrapper;
}

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn error when the program could not be started at all. */
  error?: NodeJS.ErrnoException;
  output: string[];
}

/** A running postmaster, child of this process. */
export interface ServerProcess {
  pid: number | undefined;
  /** Settles when the server has exited, for whatever reason. */
  exited: Promise<ServerExit>;
  hasExited(): boolean;
  /** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT) if that takes longer than `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function spawnServer(
  postgres: string,
  args: string[],
  user: ServiceUser | undefined,
  log: EmbeddedLog,
): Promise<ServerProcess> {
  const prefix = await parentDeathPrefix();
  const [file, ...rest] = [...prefix, postgres, ...args];
  const child = spawnAs(file, rest, user);
  const output = collectLines(child, (line) => log.debug({ postgres: line }));
  let done = false;
  // Node emits 'error' (spawn failed) or 'close', or 'error' then 'close': settle on the first.
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      done = true;
      resolve({ code: null, signal: null, error, output });
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal, output });
    });
  });
  // If this process exits without stopping the server (an uncaught error, process.exit), stop it anyway.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  void exited.then(() => process.removeListener('exit', stopOnExit));
  return {
    pid: child.pid,
    exited,
    hasExited: () => done,
    async stop(graceMs = 30_000) {
      if (done) return;
      child.kill('SIGINT');
      const escalate = setTimeout(() => child.kill('SIGQUIT'), graceMs);
      await exited;
      clearTimeout(escalate);
    },
  };
}

/** The status line of postmaster.pid ("starting", "ready", "stopping"...) when `pid` wrote it. */
export async function postmasterStatus(clusterDir: string): Promise<{ pid: number; status: string } | undefined> {
  try {
    const lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
    return { pid: Number(lines[0]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}
