import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config';
import { resolveJwtSecret } from '../../src/platform/jwt-secret';
import type { Logger } from '../../src/platform/logger';
import { assertBuilt, REPO_ROOT } from '../helpers/cli';

const quiet = { warn() {} } as unknown as Logger;

/** Runs resolveJwtSecret (compiled) in a process of its own, starting at `startAt` (ms since epoch). */
function secretFromProcess(dataDir: string, startAt: number): Promise<string> {
  const script = `
    const { resolveJwtSecret } = require(${JSON.stringify(join(REPO_ROOT, 'dist', 'src', 'platform', 'jwt-secret.js'))});
    while (Date.now() < ${startAt}) {}
    process.stdout.write(resolveJwtSecret({ dataDir: ${JSON.stringify(dataDir)} }, { warn() {} }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

describe('generated JWT secret', () => {
  let scratch: string;
  beforeAll(async () => (scratch = await mkdtemp(join(tmpdir(), 'amsnet-jwt-'))));
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  // A race: on a machine with few cores the old check-then-write rarely lost it, so this guards the
  // outcome; the exclusive link in src/platform/create-once.ts is what makes it hold.
  it('is the same for processes that start together on one data folder, and mode 600', async () => {
    assertBuilt();
    for (let round = 0; round < 2; round++) {
      const dataDir = join(scratch, `together-${round}`);
      const startAt = Date.now() + 1500; // every process is up and spinning before any of them starts
      const secrets = await Promise.all(Array.from({ length: 6 }, () => secretFromProcess(dataDir, startAt)));
      expect(new Set(secrets).size).toBe(1);
      expect(secrets[0].length).toBeGreaterThanOrEqual(64);
      expect(await readFile(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secrets[0]);
      expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
    }
  }, 60_000);

  it('keeps an existing secret and closes a file others could read', async () => {
    const dataDir = join(scratch, 'existing');
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveJwtSecret(config, quiet);
    await writeFile(join(dataDir, 'jwt-secret'), first, { mode: 0o644 });
    await chmod(join(dataDir, 'jwt-secret'), 0o644);
    expect(resolveJwtSecret(config, quiet)).toBe(first);
    expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
  });
});
