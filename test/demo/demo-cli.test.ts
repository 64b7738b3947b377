import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

/** The `amsnet demo` command line: options documented, bad values refused before any database work. */
describe('amsnet demo (command line)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'amsnet-demo-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, DATABASE_URL: '', DATA_DIR: join(dir, 'data') });

  it('documents its options', async () => {
    const res = await runCli(['demo', '--help'], { env: env() });
    expect(res.code).toBe(0);
    for (const option of [
      '--clinic',
      '--seed',
      '--full-rate',
      '--frame-minutes',
      '--embryos',
      '--model-width',
      '--model-input-size',
      '--keep-export',
      '--no-wait',
    ]) {
      expect(res.stdout).toContain(option);
    }
  });

  it.each([
    [['--model-input-size', '100'], /multiple of 32/],
    [['--embryos', '0'], /1 to 12/],
    [['--embryos', '9-3'], /MIN-MAX/],
    [['--frame-minutes', 'often'], /whole number/],
  ])('refuses %j without touching a database', async (args, message) => {
    const res = await runCli(['demo', ...args], { env: env() });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(message);
    expect(existsSync(join(dir, 'data'))).toBe(false); // no embedded database was started
  });
});
