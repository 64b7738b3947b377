import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, freePort, runCli, startCli, waitForStatus } from '../helpers/cli';

/** A failed start prints exactly one line on stderr, never a stack trace or an unhandled 'error' event. */
function expectOneClearLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^amsnet: embedded PostgreSQL could not start: /);
  expect(lines[0]).toMatch(pattern);
}

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('embedded PostgreSQL: starts that cannot succeed say why in one line', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'amsnet-pg-fail-'));
    await chmod(scratch, 0o755);
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('a port held by another program', async () => {
    const holder = await listen();
    try {
      const port = (holder.address() as { port: number }).port;
      const env = childEnv({
        DATABASE_URL: undefined,
        DATA_DIR: join(scratch, 'busy-port'),
        EMBEDDED_PG_PORT: String(port),
      });
      const result = await runCli(['migrate'], { env });
      expect(result.code).toBe(1);
      expectOneClearLine(
        result.stderr,
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use .*EMBEDDED_PG_PORT`),
      );
    } finally {
      holder.close();
    }
  });

  it('a data folder that cannot be created', async () => {
    await writeFile(join(scratch, 'a-file'), '');
    const env = childEnv({
      DATABASE_URL: undefined,
      DATA_DIR: join(scratch, 'a-file', 'data'),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
    const result = await runCli(['migrate'], { env });
    expect(result.code).toBe(1);
    expectOneClearLine(
      result.stderr,
      /cannot create the data folder .*a-file\/data \(a part of the path is a file, not a folder\)\. Set DATA_DIR/,
    );
  });

  it('a running server on the same data is named; a stale lock is cleared; a killed amsnet leaves no server behind', async () => {
    const dataDir = join(scratch, 'shared');
    const env = (extra: NodeJS.ProcessEnv = {}) => childEnv({ DATABASE_URL: undefined, DATA_DIR: dataDir, ...extra });
    const created = await runCli(['migrate'], { env: env({ EMBEDDED_PG_PORT: String(await freePort()) }) });
    expect(created.code).toBe(0);
    const clusterDir = await readlink(join(dataDir, 'postgres')).catch(() => join(dataDir, 'postgres'));

    // A lock whose PID now belongs to another program (PIDs repeat after a container restart).
    await writeFile(
      join(clusterDir, 'postmaster.pid'),
      `${process.pid}\n${clusterDir}\n0\n5432\n\n127.0.0.1\n     0         0\nready   \n`,
    );
    const afterStaleLock = await runCli(['migrate'], { env: env({ EMBEDDED_PG_PORT: String(await freePort()) }) });
    expect(afterStaleLock.stdout).toContain('database is up to date');
    expect(afterStaleLock.code).toBe(0);

    const port = await freePort();
    const serving = startCli(
      ['start', '--no-worker', '--no-scheduler', '--no-demo'],
      env({ PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) }),
    );
    try {
      expect(await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000)).toBe(200);
      const second = await runCli(['migrate'], { env: env({ EMBEDDED_PG_PORT: String(await freePort()) }) });
      expect(second.code).toBe(1);
      expectOneClearLine(
        second.stderr,
        /another PostgreSQL server \(PID \d+\) is already running on .*Stop the amsnet process that uses this DATA_DIR/,
      );

      if (existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv')) {
        // SIGKILL gives amsnet no chance to stop its server: the kernel's parent-death signal does.
        serving.child.kill('SIGKILL');
        await serving.exited;
        const afterKill = await runCli(['migrate'], { env: env({ EMBEDDED_PG_PORT: String(await freePort()) }) });
        expect(afterKill.stderr).toBe('');
        expect(afterKill.code).toBe(0);
      }
    } finally {
      serving.child.kill('SIGTERM');
      await serving.exited;
    }

    // A refusal of the server itself is named by its own FATAL line.
    await chmod(clusterDir, 0o777);
    try {
      const refused = await runCli(['migrate'], { env: env({ EMBEDDED_PG_PORT: String(await freePort()) }) });
      expect(refused.code).toBe(1);
      expectOneClearLine(refused.stderr, /postgres failed: data directory ".*" has invalid permissions/);
    } finally {
      await chmod(clusterDir, 0o700);
    }
  }, 180_000);
});
