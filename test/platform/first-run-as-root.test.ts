import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, freePort, REPO_ROOT, startCli, waitForStatus } from '../helpers/cli';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/**
 * The usual first run on a fresh server or in a container: root clones into a private home folder
 * (mode 0700) and runs `npm start`. PostgreSQL refuses to run as root, and the `postgres` user it
 * runs as cannot enter that folder: neither the binaries in node_modules nor DATA_DIR.
 */
const asRoot = isRoot
  ? it
  : (name: string, fn: () => Promise<void>, timeout?: number) =>
      it.skip(`${name} [skipped: the test needs root]`, fn, timeout);

describe('first run as root from a private folder', () => {
  asRoot(
    '`amsnet start` from a checkout under a 0700 folder serves, stops cleanly, and keeps its data across a restart',
    async () => {
      // The private folder sits in the repository (its /.tmp is ignored by git), so node_modules can be
      // hard-linked: same files, but every path now goes through a folder only root may enter.
      await mkdir(join(REPO_ROOT, '.tmp'), { recursive: true });
      const privateDir = await mkdtemp(join(REPO_ROOT, '.tmp', 'private-'));
      expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
      const app = join(privateDir, 'app');
      const dataDir = join(app, '.data');
      let clusterDir: string | undefined;
      try {
        const t0 = Date.now();
        await mkdir(app);
        for (const part of ['package.json', 'bin', 'dist'])
          await cp(join(REPO_ROOT, part), join(app, part), { recursive: true });
        await run('cp', ['-al', join(REPO_ROOT, 'node_modules'), join(app, 'node_modules')]);
        const copyMs = Date.now() - t0;

        const port = await freePort();
        const env = childEnv({
          DATABASE_URL: undefined,
          DATA_DIR: dataDir,
          PORT: String(port),
          EMBEDDED_PG_PORT: String(await freePort()),
        });
        const readyz = `http://127.0.0.1:${port}/readyz`;

        const t1 = Date.now();
        const first = startCli(['start', '--no-demo'], env, app);
        expect(await waitForStatus(readyz, 200, 120_000)).toBe(200);
        const firstReadyMs = Date.now() - t1;
        expect(first.output()).toContain('First start');
        expect(first.output()).not.toMatch(/EACCES|Unhandled 'error'|\n\s+at /);

        // DATA_DIR keeps the JWT secret; the cluster lives where the postgres user can reach it, linked from DATA_DIR.
        expect((await stat(join(dataDir, 'jwt-secret'))).isFile()).toBe(true);
        expect((await lstat(join(dataDir, 'postgres'))).isSymbolicLink()).toBe(true);
        clusterDir = await readlink(join(dataDir, 'postgres'));
        expect(clusterDir.startsWith(privateDir)).toBe(false);
        const { stdout: postgresUid } = await run('id', ['-u', 'postgres']);
        expect((await stat(clusterDir)).uid).toBe(Number(postgresUid));

        first.child.kill('SIGTERM');
        expect(await first.exited).toBe(0);

        const t2 = Date.now();
        const second = startCli(['start', '--no-demo'], env, app);
        expect(await waitForStatus(readyz, 200, 120_000)).toBe(200);
        const secondReadyMs = Date.now() - t2;
        expect(second.output()).not.toContain('First start'); // the administrator made by the first run is still there
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
        process.stdout.write(
          `first run as root: copy ${copyMs} ms, first start ready in ${firstReadyMs} ms, restart ready in ${secondReadyMs} ms\n`,
        );
      } finally {
        if (clusterDir) await rm(clusterDir, { recursive: true, force: true });
        await rm(privateDir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
