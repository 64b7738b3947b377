import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clinic, ImportSource } from '../../src/entities';
import { listedFolders, triageFolders } from '../../src/ingest/sources/folder-digests';
import { listSourceFiles } from '../../src/ingest/sources/source-files';
import { ProcessLease } from '../../src/jobs/process-lease';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo } from '../helpers/factories';
import { age, frameFileName, grayJpeg, writeFolderExport } from '../helpers/ingest-fixtures';

describe('import source rescans and scan claims', () => {
  let base: string;
  let db: TestDatabase;
  let clinic: Clinic;
  const saved = { ...process.env };

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'amsnet-rescan-'));
    process.env.IMPORT_ROOTS = base;
    process.env.IMPORT_SETTLE_SECONDS = '2';
    db = await createTestDatabase();
    clinic = await newClinic(db.dataSource);
    const cycle = await newCycle(db.dataSource, clinic);
    for (const [name, label] of [
      ['E1', 'A1'],
      ['E2', 'A2'],
    ])
      await newEmbryo(db.dataSource, cycle, { externalId: name, label });
  });

  afterAll(async () => {
    process.env = saved;
    await db.destroy();
    await rm(base, { recursive: true, force: true });
  });

  const admin = () => db.services.system.clinic(clinic.id);
  const scan = (sourceId: string) => db.services.importSourceScans.run({ sourceId, tick: new Date().toISOString() });
  const newSource = (name: string, path: string): Promise<ImportSource> =>
    db.services.importSources.create(admin(), {
      name,
      kind: 'FOLDER',
      path,
      schedule: '* * * * *',
      scoreAfterImport: false,
    });
  const foldersOf = async (sourceId: string) =>
    Object.fromEntries(
      (
        await db.dataSource.query(
          'SELECT folder, digest, files FROM import_source_folder WHERE source_id = $1 ORDER BY folder',
          [sourceId],
        )
      ).map((r: { folder: string; digest: string | null; files: number }) => [
        r.folder,
        { settled: r.digest !== null, files: r.files },
      ]),
    );
  const rowsOf = async (sourceId: string): Promise<string[]> =>
    (
      await db.dataSource.query('SELECT path FROM import_source_file WHERE source_id = $1 ORDER BY path', [sourceId])
    ).map((r: { path: string }) => r.path);
  /** The folders a rescan would read the files' rows of, as the scanner decides. */
  const lookAt = async (source: ImportSource) =>
    triageFolders(
      listedFolders(await listSourceFiles(source.path, 'FOLDER')),
      await db.services.store.importSources.folders(source.id),
    ).lookAt;

  it('passes over settled folders without reading their rows, and looks again at any folder that changed', async () => {
    const dir = join(base, 'export');
    await writeFolderExport(
      dir,
      [0],
      [
        { name: 'E1', well: 1, runs: [1, 2] },
        { name: 'E2', well: 2, runs: [1, 2] },
      ],
    );
    await age(dir);
    const source = await newSource('digests', dir);
    expect(await scan(source.id)).toMatchObject({ status: 'scanned', filesImported: 6 });
    expect(await foldersOf(source.id)).toEqual({
      'embryo_dataset/E1': { settled: true, files: 2 },
      'embryo_dataset/E2': { settled: true, files: 2 },
      embryo_dataset_time_elapsed: { settled: true, files: 2 },
    });
    expect(await lookAt(source)).toEqual([]);
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesImported: 0, filesUnchanged: 6 });

    // a frame rewritten in place (same name, new bytes and mtime): only its folder is looked at, and it is taken
    const frame = join(dir, 'embryo_dataset', 'E1', frameFileName(1, 2));
    await writeFile(frame, await grayJpeg(777));
    const past = new Date(Date.now() - 60_000);
    await utimes(frame, past, past);
    expect(await lookAt(source)).toEqual(['embryo_dataset/E1']);
    expect(await scan(source.id)).toMatchObject({ filesImported: 1, filesUnchanged: 5 });
    expect(await lookAt(source)).toEqual([]);

    // a file being written waits, and its folder stays unsettled until it is stored
    const fresh = join(dir, 'embryo_dataset', 'E2', frameFileName(2, 3));
    await writeFile(fresh, await grayJpeg(778));
    expect(await scan(source.id)).toMatchObject({ filesImported: 0, filesWaiting: 1, filesUnchanged: 6 });
    expect((await foldersOf(source.id))['embryo_dataset/E2']).toEqual({ settled: false, files: 3 });
    expect(await lookAt(source)).toEqual(['embryo_dataset/E2']);

    // a removed file and a removed folder are forgotten, rows and folder alike
    await rm(fresh);
    await rm(join(dir, 'embryo_dataset', 'E1'), { recursive: true });
    expect(await scan(source.id)).toMatchObject({ filesImported: 0, filesWaiting: 0, filesUnchanged: 4 });
    expect(await rowsOf(source.id)).toEqual([
      `embryo_dataset/E2/${frameFileName(2, 1)}`,
      `embryo_dataset/E2/${frameFileName(2, 2)}`,
      'embryo_dataset_time_elapsed/E1_timeElapsed.csv',
      'embryo_dataset_time_elapsed/E2_timeElapsed.csv',
    ]);
    expect(await foldersOf(source.id)).toEqual({
      'embryo_dataset/E2': { settled: true, files: 2 },
      embryo_dataset_time_elapsed: { settled: true, files: 2 },
    });
  });

  it('keeps a folder with a failed file unsettled: the file is not retried until it changes', async () => {
    const dir = join(base, 'failing');
    await mkdir(join(dir, 'embryo_dataset', 'E1'), { recursive: true });
    await writeFolderExport(dir, [0], [{ name: 'E1', well: 1, runs: [1] }]);
    await writeFile(join(dir, 'embryo_dataset', 'E1', frameFileName(1, 9)), Buffer.from('not a jpeg'));
    await age(dir);
    const source = await newSource('failing', dir);
    const first = await scan(source.id);
    expect(first.filesImported).toBe(3);
    expect((await foldersOf(source.id))['embryo_dataset/E1'].settled).toBe(false);
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesImported: 0, filesUnchanged: 3 });
  });

  it('reads every row when no folder is known yet (files recorded before folders were), then records the folders', async () => {
    const dir = join(base, 'recorded');
    await writeFolderExport(dir, [0], [{ name: 'E1', well: 1, runs: [1, 2] }]);
    await age(dir);
    const source = await newSource('recorded', dir);
    const listed = await listSourceFiles(dir, 'FOLDER');
    await db.services.store.importSources.recordFiles(source.id, [
      ...listed.map((f) => ({ ...f, status: 'stored' as const })),
      { path: 'embryo_dataset/E9/gone.jpeg', size: 1, mtimeMs: 1, status: 'failed' as const },
    ]);
    expect(await lookAt(source)).toBeNull();
    expect(await scan(source.id)).toMatchObject({ importRunIds: [], filesImported: 0, filesUnchanged: 3 });
    expect(await rowsOf(source.id)).not.toContain('embryo_dataset/E9/gone.jpeg');
    expect(await foldersOf(source.id)).toEqual({
      'embryo_dataset/E1': { settled: true, files: 2 },
      embryo_dataset_time_elapsed: { settled: true, files: 1 },
    });
  });

  describe('scan claims', () => {
    let source: ImportSource;
    beforeAll(async () => {
      const dir = join(base, 'claimed');
      await mkdir(dir);
      source = await newSource('claimed', dir);
    });

    const claim = (leaseId: string | null, startedSecondsAgo: number) =>
      db.dataSource.query(
        `UPDATE import_source SET scan_lease_id = $2, scan_started_at = now() - $3 * interval '1 second' WHERE id = $1`,
        [source.id, leaseId, startedSecondsAgo],
      );
    const deadLease = async (): Promise<string> => {
      const id = randomUUID();
      await db.dataSource.query(
        `INSERT INTO process_lease (id, role, host, pid, lease_seconds, beat_at)
         VALUES ($1, 'worker', 'gone-host', 4242, 1, now() - interval '1 hour')`,
        [id],
      );
      return id;
    };
    const running = { status: 'skipped', reason: 'a scan of this source is running' };

    it('a claim whose holder is dead (lease expired, or swept away) is taken over by the next tick', async () => {
      await claim(await deadLease(), 5);
      expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
      await claim(randomUUID(), 5); // a lease the sweeper already deleted
      expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
      const [row] = await db.dataSource.query(
        'SELECT scan_started_at, scan_lease_id FROM import_source WHERE id = $1',
        [source.id],
      );
      expect(row).toEqual({ scan_started_at: null, scan_lease_id: null });
    });

    it('a live scan is not stolen however long it runs; it is free once its process stops', async () => {
      const worker = await ProcessLease.take(db.services.store, { role: 'worker', leaseSeconds: 60 });
      try {
        await claim(worker.id, 3 * 3600); // longer than the job's two-hour expiry
        expect(await scan(source.id)).toMatchObject(running);
        // the worker's own run of the job cannot take it twice either
        expect(
          await db.services.importSourceScans.run({ sourceId: source.id }, 'job-2', { leaseId: worker.id }),
        ).toMatchObject(running);
      } finally {
        await worker.release();
      }
      expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
    });

    it('a claim without a lease (made before claims named one) still expires by its age only', async () => {
      await claim(null, 60);
      expect(await scan(source.id)).toMatchObject(running);
      await claim(null, 3 * 3600);
      expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
    });

    it('a scan outside a worker holds a lease of its own while it runs, and releases it', async () => {
      const leases = async () =>
        Number(
          (await db.dataSource.query(`SELECT count(*) AS n FROM process_lease WHERE role = 'import-source'`))[0].n,
        );
      expect(await scan(source.id)).toMatchObject({ status: 'scanned' });
      expect(await leases()).toBe(0);
    });
  });
});
