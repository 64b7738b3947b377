import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { amsnetProgram } from '../../src/app/cli';
import { AuditEvent, ClinicModel } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame } from '../helpers/factories';
import { tinyModel } from '../helpers/model-factories-registry';
import { pngBytes } from '../helpers/graphql-factories';

/** `amsnet model register|activate|shadow|list` and `amsnet export dataset`, run in-process against the test database. */
describe('amsnet model … and export dataset', () => {
  let db: TestDatabase;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-cli-'));
    process.env.DATABASE_URL = db.url;
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(async () => {
    process.env = savedEnv;
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
  });

  /** Parse errors throw (instead of exiting the test process) and print nothing. */
  function quiet(command: Command): Command {
    command.exitOverride().configureOutput({ writeErr: () => undefined });
    for (const sub of command.commands) quiet(sub);
    return command;
  }

  async function cli(...args: string[]): Promise<string> {
    let out = '';
    const log = jest
      .spyOn(console, 'log')
      .mockImplementation((...parts: unknown[]) => void (out += parts.join(' ') + '\n'));
    try {
      await quiet(amsnetProgram()).parseAsync(['node', 'amsnet', ...args]);
    } finally {
      log.mockRestore();
    }
    return out;
  }

  it('registers a file once, activates it for a clinic by code, puts another in shadow mode and lists both', async () => {
    const clinic = await newClinic(db.dataSource, { code: 'lyon' });
    const first = join(dir, 'first.onnx');
    const second = join(dir, 'second.onnx');
    await writeFile(first, await tinyModel({ variant: 'baseline', planes: [0], seed: 5 }));
    await writeFile(second, await tinyModel({ variant: 'baseline', planes: [0], seed: 6 }));
    const registered = await cli('model', 'register', first, '--name', 'cli-model', '--version', '1');
    expect(registered).toMatch(/^registered cli-model 1 \(baseline, planes 0, 32px, UNTRAINED\)/);
    const id = /id ([0-9a-f-]{36})/.exec(registered)![1];
    expect(await cli('model', 'register', first, '--name', 'whatever', '--version', '7')).toMatch(
      /^already registered as cli-model 1/,
    );
    const secondId = /id ([0-9a-f-]{36})/.exec(
      await cli('model', 'register', second, '--name', 'cli-model', '--version', '2'),
    )![1];

    expect(await cli('model', 'activate', '--model', id, '--clinic', 'lyon')).toMatch(
      /clinic lyon: active model cli-model 1 .*UNTRAINED/,
    );
    await cli('model', 'shadow', '--model', secondId, '--clinic', 'lyon');
    const rows = await db.dataSource.getRepository(ClinicModel).findBy({ clinicId: clinic.id });
    expect(rows.map((r) => [r.modelVersionId, r.active, r.shadow]).sort()).toEqual(
      [
        [id, true, false],
        [secondId, false, true],
      ].sort(),
    );
    const listed = await cli('model', 'list');
    expect(listed).toContain(`${clinic.id} (active)`);
    expect(listed).toContain(`${clinic.id} (shadow)`);
    const events = await db.dataSource.getRepository(AuditEvent).findBy({ clinicId: clinic.id });
    expect(events.map((e) => e.action).sort()).toEqual(['MODEL_ACTIVATED', 'MODEL_SHADOW_SET']);
  });

  it('refuses a bad file, a missing file and an unknown clinic with messages for the operator', async () => {
    const junk = join(dir, 'junk.onnx');
    await writeFile(junk, 'definitely not onnx');
    await expect(cli('model', 'register', junk, '--name', 'j', '--version', '1')).rejects.toThrow(
      /model refused: .*not a readable ONNX model/,
    );
    await expect(cli('model', 'register', join(dir, 'absent.onnx'), '--name', 'j', '--version', '1')).rejects.toThrow(
      /cannot read .*ENOENT/,
    );
    await expect(
      cli('model', 'activate', '--model', '00000000-0000-0000-0000-000000000000', '--clinic', 'nowhere'),
    ).rejects.toThrow(/no clinic with code "nowhere"/);
    await expect(cli('model', 'register', junk, '--name', 'j', '--version', '1', '--planes', 'a,b')).rejects.toThrow(
      /whole µm/,
    );
  });

  it('exports a dataset from the command line, selecting cycles by period', async () => {
    const clinic = await newClinic(db.dataSource, { code: 'export-clinic' });
    const image = await pngBytes(40);
    const cycle = await newCycle(db.dataSource, clinic, { inseminationAt: new Date('2026-02-10T09:00:00Z') });
    for (const outcome of ['BLASTOCYST', 'NOT_BLASTOCYST'] as const) {
      const embryo = await newEmbryo(db.dataSource, cycle, { outcome });
      for (let k = 0; k < 28; k++)
        await newFrame(db.dataSource, embryo, { hoursPostInsemination: 6 * k + 3, bytes: image });
    }
    const out = join(dir, 'dataset');
    const printed = await cli(
      'export',
      'dataset',
      '--clinic',
      'export-clinic',
      '--out',
      out,
      '--planes',
      '0',
      '--size',
      '32',
      '--seed',
      '9',
      '--split',
      '0.5,0,0.5',
    );
    expect(printed).toMatch(/dataset written to .*: 2 embryos, planes 0, 32px png, seed 9/);
    expect((await readFile(join(out, 'labels.csv'), 'utf8')).trim().split('\n')).toHaveLength(3);
    // the period selects cycles by insemination day, both ends included
    await expect(
      cli('export', 'dataset', '--clinic', 'export-clinic', '--out', join(dir, 'none'), '--to', '2026-02-09'),
    ).rejects.toThrow(/nothing to export/);
    await expect(
      cli('export', 'dataset', '--clinic', 'export-clinic', '--out', join(dir, 'bad'), '--from', '2026-02-31'),
    ).rejects.toThrow(/YYYY-MM-DD/);
  });
});
