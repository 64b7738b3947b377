import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliRuntime } from '../../src/app/cli';
import { registerImportCommands } from '../../src/cli/commands/import';
import { Embryo, ImportRun, type Clinic } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { writeFolderExport } from '../helpers/ingest-fixtures';

describe('amsnet import (CLI shell)', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let output: string[];
  const env = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-cli-'));
    clinic = await newClinic(db.dataSource);
    process.env.DATABASE_URL = db.url;
    process.env.LOG_LEVEL = 'error';
  });
  afterAll(async () => {
    process.env = env;
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
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
    registerImportCommands(program, cliRuntime);
    await program.parseAsync(['node', 'amsnet', 'import', ...args]);
  };

  it('imports a folder by clinic code, prints the summary and exits 0', async () => {
    await writeFolderExport(join(dir, 'export'), [0], [{ name: 'FF06-1', well: 2, runs: [1, 2, 3] }]);
    await run('folder', join(dir, 'export'), '--clinic', clinic.code);
    expect(process.exitCode).toBeUndefined();
    expect(output[0]).toMatch(/^import [0-9a-f-]{36} \(folder\): SUCCEEDED/);
    expect(output[1]).toBe('  items: 1 stored, 0 already stored, 0 skipped, 0 failed');
    expect(output[2]).toMatch(/^ {2}frames: 3 stored, 0 already stored/);
    expect(await db.dataSource.getRepository(Embryo).countBy({ clinicId: clinic.id })).toBe(1);
  });

  it('exits non-zero and lists the failed rows of a cycle sheet', async () => {
    const sheet = join(dir, 'sheet.csv');
    await writeFile(
      sheet,
      'mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id\nP1,,C1,yesterday,IVF,,\nP2,,C2,2026-01-01T10:00:00Z,IVF,,\n',
    );
    await run('cycles', sheet, '--clinic', clinic.id);
    expect(process.exitCode).toBe(1);
    expect(output).toContain(
      '  failed        row 2 (cycle C1): insemination_at "yesterday" is not an ISO 8601 date-time with a zone (e.g. 2026-01-05T09:30:00+01:00)',
    );
    expect(
      await db.dataSource.getRepository(ImportRun).countBy({ clinicId: clinic.id, kind: 'CYCLES', status: 'PARTIAL' }),
    ).toBe(1);
  });

  it('refuses an unknown clinic with a clear message', async () => {
    await expect(run('folder', dir, '--clinic', 'no-such-clinic')).rejects.toThrow(
      'no clinic with code "no-such-clinic"',
    );
  });
});
