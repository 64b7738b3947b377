import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEvent, type Clinic, type Cycle, type Embryo } from '../../src/entities';
import { enqueueImportSourceTick } from '../../src/jobs/import-source-scheduler';
import { JobQueue } from '../../src/jobs/job-queue';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { age, frameFileName, grayJpeg, writeFolderExport } from '../helpers/ingest-fixtures';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { quietLog, startTestRuntime } from '../jobs/job-test-kit';
import { dicomFile } from './support/dicom-writer';
import { noise } from '../helpers/ingest-fixtures';
import { createMetrics, IMPORT_SOURCE_METRIC_NAMES, watchImportSources } from '../../src/platform/metrics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('import sources', () => {
  let base: string;
  let root: string;
  let db: TestDatabase;
  let clinic: Clinic;
  let active: Cycle;
  let embryos: Record<string, Embryo>;
  const saved = { ...process.env };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'amsnet-sources-'));
    root = join(base, 'allowed');
    await mkdir(join(base, 'outside'), { recursive: true });
    await mkdir(root, { recursive: true });
    process.env.IMPORT_ROOTS = root;
    process.env.IMPORT_SETTLE_SECONDS = '2';
    process.env.IMPORT_FAILURE_ALERT_AFTER = '3';
    db = await createTestDatabase();
    clinic = await newClinic(db.dataSource);
    await registerActiveModel(db.dataSource, clinic, await tinyModel());
    active = await newCycle(db.dataSource, clinic);
    const completed = await newCycle(db.dataSource, clinic, { status: 'COMPLETED' });
    embryos = {
      E1: await newEmbryo(db.dataSource, active, { externalId: 'E1', label: 'A1' }),
      E2: await newEmbryo(db.dataSource, active, { externalId: 'E2', label: 'A2' }),
      E3: await newEmbryo(db.dataSource, completed, { externalId: 'E3', label: 'A3' }),
    };
  });

  afterAll(async () => {
    process.env = saved;
    await db.destroy();
    await rm(base, { recursive: true, force: true });
  });

  const admin = () => db.services.system.clinic(clinic.id);
  const scan = (sourceId: string) => db.services.importSourceScans.run({ sourceId, tick: new Date().toISOString() });
  const importScoringScopes = async (): Promise<string[][]> =>
    (
      await db.dataSource.query(
        `SELECT scope FROM scoring_run WHERE clinic_id = $1 AND trigger = 'import' ORDER BY created_at`,
        [clinic.id],
      )
    ).map((r: { scope: { embryoIds: string[] } }) => [...r.scope.embryoIds].sort());
  const frameCount = async (): Promise<number> =>
    Number(
      (
        await db.dataSource.query(
          'SELECT count(*) AS n FROM frame f JOIN embryo e ON e.id = f.embryo_id WHERE e.clinic_id = $1',
          [clinic.id],
        )
      )[0].n,
    );

  it('refuses a folder outside the allowed roots, through `..` or a symlink, and a bad schedule', async () => {
    const input = { name: 'x', kind: 'FOLDER' as const, schedule: '*/5 * * * *' };
    await symlink(join(base, 'outside'), join(root, 'link-out'));
    await mkdir(join(root, 'inside'));
    const refused = async (path: string, schedule = input.schedule) =>
      (await db.services.importSources.create(admin(), { ...input, path, schedule }).catch((e: Error) => e)) as Error;
    expect((await refused(join(base, 'outside'))).message).toMatch(/outside the allowed import roots/);
    expect((await refused(`${root}/../outside`)).message).toMatch(/outside the allowed import roots/);
    expect((await refused(join(root, 'link-out'))).message).toMatch(/outside the allowed import roots/);
    expect((await refused('relative/path')).message).toMatch(/must be absolute/);
    expect((await refused(join(root, 'missing'))).message).toMatch(/cannot be read: ENOENT/);
    expect((await refused(join(root, 'inside'), '* * * * * *')).message).toMatch(/five-field cron/);
    const source = await db.services.importSources.create(admin(), { ...input, path: join(root, 'inside') });
    expect(source.path).toBe(join(root, 'inside'));
    // a folder swapped for a link later is refused at the scan
    await rm(join(root, 'inside'), { recursive: true });
    await symlink(join(base, 'outside'), join(root, 'inside'));
    const result = await scan(source.id);
    expect(result).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/outside the allowed import roots/),
    });
    await db.services.importSources.remove(admin(), source.id);
  });

  it('imports a growing export across ticks: new frames once, a half-written file waits, scoring follows for changed embryos', async () => {
    const dir = join(root, 'export');
    const spec = (name: string, well: number, runs: number[]) => ({ name, well, runs });
    await writeFolderExport(dir, [0], [spec('E1', 1, [1, 2]), spec('E2', 2, [1, 2]), spec('E3', 3, [1, 2])]);
    await age(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'EmbryoScope export',
      kind: 'FOLDER',
      path: dir,
      schedule: '* * * * *',
    });

    const first = await scan(source.id);
    expect(first).toMatchObject({ status: 'scanned', filesImported: 9, filesWaiting: 0 });
    expect(await frameCount()).toBe(6);
    const [run] = await db.dataSource.query('SELECT import_source_id, stored FROM import_run WHERE id = $1', [
      first.importRunIds![0],
    ]);
    expect(run.import_source_id).toBe(source.id);
    // E3's cycle is completed: only the active cycle's embryos are scored
    expect(await importScoringScopes()).toEqual([[embryos.E1.id, embryos.E2.id].sort()]);

    // nothing changed: no import run, no scoring
    const idle = await scan(source.id);
    expect(idle).toMatchObject({ status: 'scanned', importRunIds: [], filesImported: 0, filesUnchanged: 9 });

    // E1 run 3 lands and settles; E2 run 3 is still being written
    await writeFolderExport(dir, [0], [spec('E1', 1, [1, 2, 3]), spec('E2', 2, [1, 2, 3])]);
    await age(dir);
    const fresh = new Date();
    await utimes(join(dir, 'embryo_dataset', 'E2', frameFileName(2, 3)), fresh, fresh);
    const third = await scan(source.id);
    expect(third).toMatchObject({ status: 'scanned', filesWaiting: 1 });
    expect(await frameCount()).toBe(7);
    expect((await importScoringScopes()).at(-1)).toEqual([embryos.E1.id]);

    // the next tick after the settle time takes it, once
    await sleep(2100);
    const fourth = await scan(source.id);
    expect(fourth).toMatchObject({ status: 'scanned', filesImported: 1, filesWaiting: 0 });
    expect(await frameCount()).toBe(8);
    expect((await importScoringScopes()).at(-1)).toEqual([embryos.E2.id]);
    expect(await importScoringScopes()).toHaveLength(3);

    // a frame whose time row is not written yet waits for its time file to change
    const run4 = join(dir, 'embryo_dataset', 'E1', frameFileName(1, 4));
    await writeFile(run4, await grayJpeg(4242));
    const past = new Date(Date.now() - 60_000);
    await utimes(run4, past, past); // only this file: touching the others would make them changed
    const early = await scan(source.id);
    expect(early.filesImported).toBe(1);
    expect(await frameCount()).toBe(8);
    const again = await scan(source.id);
    expect(again).toMatchObject({ importRunIds: [], filesImported: 0 });
    const timeFile = join(dir, 'embryo_dataset_time_elapsed', 'E1_timeElapsed.csv');
    await writeFile(timeFile, 'frame_index,time\n1,0.25\n2,0.5\n3,0.75\n4,1\n');
    await utimes(timeFile, past, past);
    const late = await scan(source.id);
    expect(late.filesImported).toBe(2); // the time file and the frame that waited for it
    expect(await frameCount()).toBe(9);
  });

  it('retries a failed file only when it changed', async () => {
    const dir = join(root, 'dicom-drop');
    await mkdir(dir);
    await writeFile(join(dir, 'broken.dcm'), Buffer.from('not a dicom file at all'));
    await age(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'drop',
      kind: 'DICOM',
      path: dir,
      schedule: '*/5 * * * *',
      scoreAfterImport: false,
    });
    const first = await scan(source.id);
    expect(first.filesImported).toBe(1);
    const items = await db.dataSource.query('SELECT status FROM import_run_item WHERE import_run_id = $1', [
      first.importRunIds![0],
    ]);
    expect(items.map((i: { status: string }) => i.status)).toEqual(['skipped']);
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesImported: 0, filesUnchanged: 1 });
    await writeFile(join(dir, 'broken.dcm'), Buffer.from('still not a dicom file, but a different one'));
    await age(dir);
    expect(await scan(source.id)).toMatchObject({ filesImported: 1 });
  });

  it('a source failing N times in a row writes one audit event; a success resets the streak', async () => {
    const dir = join(root, 'vanishing');
    await mkdir(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'vanishing',
      kind: 'CYCLES',
      path: dir,
      schedule: '0 * * * *',
    });
    await rm(dir, { recursive: true });
    for (let i = 0; i < 4; i++) expect(await scan(source.id)).toMatchObject({ status: 'failed' });
    const failing = await db.dataSource
      .getRepository(AuditEvent)
      .findBy({ action: 'IMPORT_SOURCE_FAILING', entityId: source.id });
    expect(failing).toHaveLength(1);
    expect(failing[0].detail).toMatchObject({ consecutiveFailures: 3 });
    expect((await db.store.importSources.byId(source.id))!.consecutiveFailures).toBe(4);
    const metrics = createMetrics();
    watchImportSources(metrics, () => db.store.importSources.health());
    const gauge = async (name: string) => {
      const text = await metrics.registry.getSingleMetricAsString(name);
      const line = text.split('\n').find((l) => l.includes(`source_id="${source.id}"`));
      return Number(line?.split(' ').at(-1));
    };
    expect(await gauge(IMPORT_SOURCE_METRIC_NAMES.consecutiveFailures)).toBe(4);
    expect(await gauge(IMPORT_SOURCE_METRIC_NAMES.lastSuccessAge)).toBeGreaterThanOrEqual(0); // never succeeded: since creation
    await mkdir(dir);
    expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
    const healed = (await db.store.importSources.byId(source.id))!;
    expect(healed.consecutiveFailures).toBe(0);
    expect(healed.lastSuccessAt).not.toBeNull();
    expect(await gauge(IMPORT_SOURCE_METRIC_NAMES.consecutiveFailures)).toBe(0);
    expect(await gauge(IMPORT_SOURCE_METRIC_NAMES.lastSuccessAge)).toBeLessThan(5);
  });

  it('two schedulers ticking together enqueue one job per due source and tick; paused sources none', async () => {
    const dir = join(root, 'sched');
    await mkdir(dir);
    const every5 = await db.services.importSources.create(admin(), {
      name: 'every 5',
      kind: 'DICOM',
      path: dir,
      schedule: '*/5 * * * *',
    });
    const nightly = await db.services.importSources.create(admin(), {
      name: 'nightly',
      kind: 'DICOM',
      path: dir,
      schedule: '0 3 * * *',
    });
    const paused = await db.services.importSources.create(admin(), {
      name: 'paused',
      kind: 'DICOM',
      path: dir,
      schedule: '* * * * *',
    });
    await db.services.importSources.setPaused(admin(), paused.id, true);
    const queues = [await JobQueue.open(db.url, { log: quietLog }), await JobQueue.open(db.url, { log: quietLog })];
    try {
      await db.dataSource.query(`DELETE FROM pgboss.job WHERE name = 'import-source'`);
      const at = (iso: string) => new Date(new Date(iso).getTime());
      const tick = (iso: string) =>
        Promise.all(queues.map((queue) => enqueueImportSourceTick({ store: db.store, queue, log: quietLog }, at(iso))));
      const mine = (ids: string[]) => ids.filter((id) => [every5.id, nightly.id, paused.id].includes(id));
      await tick('2026-12-02T10:05:00.250Z');
      await tick('2026-12-02T10:05:20.000Z'); // same minute: same tick
      await tick('2026-12-02T10:06:00.000Z'); // neither is due
      const jobs: { source_id: string; tick: string }[] = await db.dataSource.query(
        `SELECT data->>'sourceId' AS source_id, data->>'tick' AS tick FROM pgboss.job WHERE name = 'import-source'`,
      );
      expect(mine(jobs.map((j) => j.source_id))).toEqual([every5.id]);
      expect(jobs.find((j) => j.source_id === every5.id)!.tick).toBe(
        new Date('2026-12-02T10:05:00.000Z').toISOString(),
      );
    } finally {
      for (const q of queues) await q.stop();
    }
  });

  it('audits create, change, pause, resume and removal; another clinic cannot reach the source', async () => {
    const dir = join(root, 'audited');
    await mkdir(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'audited',
      kind: 'PDB',
      path: dir,
      schedule: '*/10 * * * *',
    });
    await db.services.importSources.update(admin(), source.id, { schedule: '*/15 * * * *', scoreAfterImport: false });
    await db.services.importSources.setPaused(admin(), source.id, true);
    await db.services.importSources.setPaused(admin(), source.id, false);
    const other = await newClinic(db.dataSource);
    const foreign = db.services.system.clinic(other.id);
    await expect(db.services.importSources.get(foreign, source.id)).rejects.toThrow('import source not found');
    await expect(db.services.importSources.remove(foreign, source.id)).rejects.toThrow('import source not found');
    await db.services.importSources.remove(admin(), source.id);
    const events = await db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { entityId: source.id }, order: { id: 'ASC' } });
    expect(events.map((e) => e.action)).toEqual([
      'IMPORT_SOURCE_CREATED',
      'IMPORT_SOURCE_CHANGED',
      'IMPORT_SOURCE_PAUSED',
      'IMPORT_SOURCE_RESUMED',
      'IMPORT_SOURCE_REMOVED',
    ]);
    expect(events[1].detail).toEqual({
      schedule: { from: '*/10 * * * *', to: '*/15 * * * *' },
      scoreAfterImport: { from: true, to: false },
    });
  });

  it('a worker runs the import-source job the scheduler enqueued, and the run is linked to its source', async () => {
    const dir = join(root, 'worker-export');
    await writeFolderExport(dir, [0], [{ name: 'W1', well: 9, runs: [1] }]);
    await age(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'worker',
      kind: 'FOLDER',
      path: dir,
      schedule: '* * * * *',
      scoreAfterImport: false,
    });
    const runtime = await startTestRuntime(db, { pollingIntervalSeconds: 0.5 });
    try {
      expect(
        await enqueueImportSourceTick({ store: db.store, queue: runtime.queue, log: quietLog }, new Date()),
      ).toBeGreaterThanOrEqual(1);
      let runs: { status: string }[] = [];
      for (let i = 0; i < 60 && runs.length === 0; i++) {
        await sleep(250);
        runs = await db.dataSource.query(
          `SELECT status FROM import_run WHERE import_source_id = $1 AND finished_at IS NOT NULL`,
          [source.id],
        );
      }
      expect(runs).toEqual([{ status: 'SUCCEEDED' }]);
    } finally {
      await runtime.stop();
    }
  });

  it('a DICOM file skipped for want of its cycle is taken again once a cycle sheet was imported', async () => {
    const dir = join(root, 'dicom-waiting');
    await mkdir(dir);
    const study = '1.2.826.0.1.3680043.10.300';
    const series = '1.2.826.0.1.3680043.10.300.1';
    await writeFile(
      join(dir, 'frame.dcm'),
      dicomFile({
        '00080016': ['UI', '1.2.840.10008.5.1.4.1.1.77.1.2'],
        '00080018': ['UI', '1.2.826.0.1.3680043.10.300.1.1'],
        '0008002A': ['DT', '20260105120000'],
        '00100020': ['LO', 'PAT-300'],
        '0020000D': ['UI', study],
        '0020000E': ['UI', series],
        '00280002': ['US', 1],
        '00280004': ['CS', 'MONOCHROME2'],
        '00280010': ['US', 16],
        '00280011': ['US', 16],
        '00280100': ['US', 8],
        '00280101': ['US', 8],
        '00280103': ['US', 0],
        '0048021A': ['SQ', [{ '0040074A': ['DS', '0'] }]],
        '7FE00010': ['OB', noise(300, 256)],
      }),
    );
    await age(dir);
    const source = await db.services.importSources.create(admin(), {
      name: 'waiting drop',
      kind: 'DICOM',
      path: dir,
      schedule: '*/5 * * * *',
      scoreAfterImport: false,
    });
    const first = await scan(source.id);
    const [item] = await db.dataSource.query('SELECT status, reason FROM import_run_item WHERE import_run_id = $1', [
      first.importRunIds![0],
    ]);
    expect(item).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/import its cycle sheet first/) });
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesUnchanged: 1 });

    const sheet = join(base, 'sheet-300.csv');
    await writeFile(
      sheet,
      'mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id\n' +
        `PAT-300,,${study},2026-01-05T09:00:00Z,ICSI,A1,${series}\n`,
    );
    await db.services.imports.importCycleSheet(sheet, { grant: admin() });
    const after = await scan(source.id);
    expect(after.filesImported).toBe(1);
    const [stored] = await db.dataSource.query('SELECT status FROM import_run_item WHERE import_run_id = $1', [
      after.importRunIds![0],
    ]);
    expect(stored.status).toBe('stored');
    // and once stored, never again
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesUnchanged: 1 });
  });
});
