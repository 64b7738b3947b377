import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amsnetProgram } from '../../src/app/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { childEnv, freePort, runCli, startCli, waitForStatus } from '../helpers/cli';
import type { Command } from 'commander';

function allCommands(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((c) => [
    { path: [...path, c.name()].join(' '), command: c },
    ...allCommands(c, [...path, c.name()]),
  ]);
}

describe('amsnet command', () => {
  it('has --help with a description on every command', () => {
    const commands = allCommands(amsnetProgram());
    expect(commands.map((c) => c.path)).toEqual(
      expect.arrayContaining(['serve', 'start', 'worker', 'migrate', 'clinic add', 'user add']),
    );
    for (const { path, command } of commands) {
      expect({ path, description: command.description() }).toEqual({ path, description: expect.stringMatching(/\w/) });
      expect(command.helpInformation()).toContain('Usage:');
    }
  });

  describe('against a given database (DATABASE_URL)', () => {
    let db: TestDatabase;
    beforeAll(async () => (db = await createTestDatabase()));
    afterAll(async () => db.destroy());

    it('`user add` stores an argon2id hash and never the password', async () => {
      const clinic = await newClinic(db.dataSource, { code: 'cli-clinic' });
      const password = 'a very secret passphrase';
      const result = await runCli(
        [
          'user',
          'add',
          '--email',
          'cli.user@example.org',
          '--clinic',
          'cli-clinic',
          '--role',
          'CLINICIAN',
          '--password-stdin',
        ],
        { env: childEnv({ DATABASE_URL: db.url }), input: `${password}\n` },
      );
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('cli.user@example.org');
      expect(result.stdout + result.stderr).not.toContain(password);
      const [row] = await db.dataSource.query(
        `SELECT u.password_hash, m.role, m.clinic_id FROM "user" u JOIN membership m ON m.user_id = u.id WHERE u.email = 'cli.user@example.org'`,
      );
      expect(row).toMatchObject({ role: 'CLINICIAN', clinic_id: clinic.id });
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(row.password_hash).not.toContain(password);
    });

    it('refuses an unknown role and an unknown clinic with a clear message', async () => {
      const badRole = await runCli(
        ['user', 'add', '--email', 'x@example.org', '--clinic', 'cli-clinic', '--role', 'SURGEON', '--password-stdin'],
        {
          env: childEnv({ DATABASE_URL: db.url }),
          input: 'long enough password\n',
        },
      );
      expect(badRole.code).not.toBe(0);
      expect(badRole.stderr).toMatch(/SURGEON.*(invalid|choices)|Allowed choices/is);
      const badClinic = await runCli(
        ['user', 'add', '--email', 'y@example.org', '--clinic', 'nowhere', '--role', 'ADMIN', '--password-stdin'],
        {
          env: childEnv({ DATABASE_URL: db.url }),
          input: 'long enough password\n',
        },
      );
      expect(badClinic.code).not.toBe(0);
      expect(badClinic.stderr).toContain('no clinic with code "nowhere"');
    });

    it('names the bad configuration variable and exits non-zero', async () => {
      const result = await runCli(['migrate'], { env: childEnv({ DATABASE_URL: db.url, PORT: 'eighty' }) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('PORT');
    });
  });

  describe('on the embedded database (no DATABASE_URL)', () => {
    it('`start` answers /readyz, shuts down on SIGTERM, and restarts on the same data', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'amsnet-start-'));
      await chmod(dataDir, 0o755);
      const port = await freePort();
      const env = childEnv({
        DATABASE_URL: undefined,
        DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_PG_PORT: String(await freePort()),
      });

      const first = startCli(['start', '--no-worker', '--no-scheduler', '--no-demo'], env);
      const t0 = Date.now();
      expect(await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000)).toBe(200);
      const readyAfterMs = Date.now() - t0;
      expect(readyAfterMs).toBeLessThan(60_000);
      expect(first.output()).toContain('admin@demo.local');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = startCli(['start', '--no-worker', '--no-scheduler', '--no-demo'], env);
      expect(await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000)).toBe(200);
      expect(second.output()).not.toContain('First start');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }, 150_000);
  });
});
