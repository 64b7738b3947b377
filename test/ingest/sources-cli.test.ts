import { Command } from 'commander';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliRuntime } from '../../src/app/cli';
import { registerSourceCommands } from '../../src/cli/commands/sources';
import { AuditEvent, type Clinic } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { writeFolderExport } from '../helpers/ingest-fixtures';

describe('amsnet sources / devices (CLI shell)', () => {
  let db: TestDatabase;
  let base: string;
  let clinic: Clinic;
  let output: string[];
  const env = { ...process.env };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'amsnet-sources-cli-'));
    await mkdir(join(base, 'root'));
    db = await createTestDatabase();
    clinic = await newClinic(db.dataSource);
    process.env.DATABASE_URL = db.url;
    process.env.LOG_LEVEL = 'error';
    process.env.IMPORT_ROOTS = join(base, 'root');
    process.env.IMPORT_SETTLE_SECONDS = '0';
  });
  afterAll(async () => {
    process.env = env;
    await db.destroy();
    await rm(base, { recursive: true, force: true });
  });
  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    process.exitCode = undefined;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  const run = async (...args: string[]) => {
    const program = new Command('amsnet').exitOverride();
    registerSourceCommands(program, cliRuntime);
    await program.parseAsync(['node', 'amsnet', ...args]);
  };

  it('adds, lists, scans, pauses and removes a source; audited as the system', async () => {
    const dir = join(base, 'root', 'export');
    await writeFolderExport(dir, [0], [{ name: 'C1', well: 1, runs: [1, 2] }]);
    const past = new Date(Date.now() - 60_000);
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
      if (e.isFile()) await utimes(join(e.parentPath, e.name), past, past);
    await run('sources', 'add', '--clinic', clinic.code, '--name', 'lab export', '--kind', 'folder', '--path', dir);
    const id = output[0].split(' ')[0];
    expect(output[0]).toContain('lab export  folder');
    await run('sources', 'scan', id, '--clinic', clinic.code);
    expect(JSON.parse(output.slice(2).join('\n'))).toMatchObject({ status: 'scanned', filesImported: 3 });
    await run('sources', 'pause', id, '--clinic', clinic.code);
    await run('sources', 'list', '--clinic', clinic.code);
    expect(output.at(-2)).toContain('PAUSED');
    expect(output.at(-1)).toMatch(/last success: \d{4}-/);
    await run('sources', 'remove', id, '--clinic', clinic.code);
    const events = await db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { entityId: id }, order: { id: 'ASC' } });
    expect(events.map((e) => [e.action, e.userId])).toEqual([
      ['IMPORT_SOURCE_CREATED', null],
      ['IMPORT_SOURCE_PAUSED', null],
      ['IMPORT_SOURCE_REMOVED', null],
    ]);
  });

  it('refuses a folder outside IMPORT_ROOTS with a one-line error', async () => {
    await expect(
      run('sources', 'add', '--clinic', clinic.code, '--name', 'x', '--kind', 'dicom', '--path', base),
    ).rejects.toThrow(/outside the allowed import roots/);
    await expect(
      run('sources', 'add', '--clinic', clinic.code, '--name', 'x', '--kind', 'tiff', '--path', base),
    ).rejects.toThrow(/--kind must be one of folder, pdb, dicom, cycles/);
  });

  it('creates a device credential (token printed once) and revokes it', async () => {
    await run('devices', 'add', '--clinic', clinic.code, '--name', 'microscope');
    const token = /token \(shown once.*\): (amsdev_\S+)/.exec(output.join('\n'))![1];
    const credential = await db.services.deviceCredentials.authenticate(token);
    expect(credential?.clinicId).toBe(clinic.id);
    await run('devices', 'revoke', credential!.id, '--clinic', clinic.code);
    expect(await db.services.deviceCredentials.authenticate(token)).toBeNull();
    await run('devices', 'list', '--clinic', clinic.code);
    expect(output.at(-1)).toContain('REVOKED');
  });
});
