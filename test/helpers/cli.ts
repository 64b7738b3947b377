import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
export { freePort } from '../../src/platform/net/free-port';

export const REPO_ROOT = join(__dirname, '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'amsnet.js');

/** The CLI runs from dist/: `npm test` builds it first (scripts/build-if-needed.js). */
export function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'app', 'main.js'))) {
    throw new Error('dist/ is missing: run the tests through `npm test`, which builds the CLI first');
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `amsnet ARGS` to completion. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env ?? process.env, cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts a long-running `amsnet` command (of the checkout at `root`); collects its output. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  root = REPO_ROOT,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  assertBuilt();
  const child = spawn(process.execPath, [join(root, 'bin', 'amsnet.js'), ...args], { env, cwd: root });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers `status` or `timeoutMs` passes; returns the last status seen. */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    try {
      last = (await fetch(url)).status;
      if (last === status) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

/** The environment of a child process: the test's own, minus anything that would pick another database. */
export function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...extra };
  delete env.NODE_OPTIONS;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}
