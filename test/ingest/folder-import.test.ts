import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  AuditEvent,
  Embryo,
  EmbryoPhase,
  Frame,
  FrameImage,
  ImportRun,
  ImportRunItem,
  type Clinic,
} from '../../src/entities';
import type { ImportService } from '../../src/ingest/import.service';
import type { ImportRunReport } from '../../src/ingest/import-types';
import { processMetrics } from '../../src/platform/metrics';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newUser } from '../helpers/factories';
import { jpegHeaderBomb, pngBomb } from '../helpers/image-bombs';
import { frameFileName, writeFolderExport } from '../helpers/ingest-fixtures';

const itemOf = (report: ImportRunReport, item: string) => report.items.find((i) => i.item === item);

describe('folder export import', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let imports: ImportService;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-folder-'));
    clinic = await newClinic(db.dataSource);
    imports = db.services.imports;
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a clean export: embryos in the unassigned cycle, frames with hpi and plane, phases and outcomes', async () => {
    const root = join(dir, 'clean');
    const images = await writeFolderExport(
      root,
      [-15, 0, 15],
      [
        {
          name: 'AA01-1',
          well: 1,
          runs: [1, 2, 3, 4],
          phases: [
            ['tPB2', 1, 1],
            ['t2', 2, 3],
            ['tB', 4, 4],
          ],
        },
        {
          name: 'AA01-2',
          well: 2,
          runs: [1, 2, 3],
          phases: [
            ['tPB2', 1, 1],
            ['t2', 2, 3],
          ],
        },
        { name: 'AA01-3', well: 3, runs: [1, 2] },
      ],
    );
    const report = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.framesStored).toBe(images);
    expect(await processMetrics().registry.metrics()).toContain(`amsnet_import_frames_total{kind="FOLDER"} ${images}`);
    expect(report.counts).toEqual({ stored: 3, alreadyStored: 0, skipped: 0, failed: 0 });
    const embryos = await db.dataSource
      .getRepository(Embryo)
      .find({ where: { clinicId: clinic.id }, relations: { cycle: true }, order: { externalId: 'ASC' } });
    expect(embryos.map((e) => [e.externalId, e.label, e.outcome, e.cycle!.externalId])).toEqual([
      ['AA01-1', 'WELL1', 'BLASTOCYST', 'unassigned'],
      ['AA01-2', 'WELL2', 'NOT_BLASTOCYST', 'unassigned'],
      ['AA01-3', 'WELL3', 'UNKNOWN', 'unassigned'],
    ]);
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryos[0].id }, order: { hoursPostInsemination: 'ASC', focalPlaneUm: 'ASC' } });
    expect(frames).toHaveLength(12);
    expect(
      frames.slice(0, 3).map((f) => [f.hoursPostInsemination, f.focalPlaneUm, f.run, f.width, f.height, f.acquiredAt]),
    ).toEqual([
      [0.25, -15, 1, 48, 48, null],
      [0.25, 0, 1, 48, 48, null],
      [0.25, 15, 1, 48, 48, null],
    ]);
    expect(frames[0].source).toBe('embryo_dataset_F-15/AA01-1/D2016.01.07_S1234_I141_WELL1_RUN1.jpeg');
    // A clean 8-bit gray JPEG is stored byte for byte, content-addressed.
    const image = await db.dataSource.getRepository(FrameImage).findOneByOrFail({ sha256: frames[0].sha256 });
    expect(image.mime).toBe('image/jpeg');
    const phases = await db.dataSource
      .getRepository(EmbryoPhase)
      .find({ where: { embryoId: embryos[0].id }, order: { firstRun: 'ASC' } });
    expect(phases.map((p) => [p.phase, p.firstRun, p.lastRun, p.startHpi, p.endHpi])).toEqual([
      ['tPB2', 1, 1, 0.25, 0.25],
      ['t2', 2, 3, 0.5, 0.75],
      ['tB', 4, 4, 1, 1],
    ]);
    const run = await db.dataSource.getRepository(ImportRun).findOneByOrFail({ id: report.importRunId });
    expect([run.kind, run.status, run.stored, run.failed, run.finishedAt !== null]).toEqual([
      'FOLDER',
      'SUCCEEDED',
      3,
      0,
      true,
    ]);
    expect(await db.dataSource.getRepository(ImportRunItem).countBy({ importRunId: run.id })).toBe(3);
    const audit = await db.dataSource
      .getRepository(AuditEvent)
      .findOneByOrFail({ action: 'IMPORT_RUN', entityId: run.id });
    expect(audit.clinicId).toBe(clinic.id);
    expect(audit.detail).toMatchObject({ kind: 'FOLDER', framesStored: images, stored: 3 });

    // Re-importing the same export adds nothing.
    const counts = async () => [
      await db.dataSource.getRepository(Frame).count(),
      await db.dataSource.getRepository(FrameImage).count(),
      await db.dataSource.getRepository(EmbryoPhase).count(),
      await db.dataSource.getRepository(Embryo).count(),
    ];
    const before = await counts();
    const again = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });
    expect(again.status).toBe('SUCCEEDED');
    expect(again.counts).toEqual({ stored: 0, alreadyStored: 3, skipped: 0, failed: 0 });
    expect([again.framesStored, again.framesAlreadyStored]).toEqual([0, images]);
    expect(await counts()).toEqual(before);
  });

  it('reports each mess of a real export with its reason and stores the rest', async () => {
    const root = join(dir, 'messy');
    await writeFolderExport(
      root,
      [-15, 0, 15],
      [
        {
          name: 'BB02-1',
          well: 1,
          runs: [1, 2, 3, 4, 5],
          truncated: [{ run: 2, plane: 15 }],
          missing: [{ run: 3, plane: -15 }],
          orphanTimeRuns: [6, 7],
          bannerRuns: [4],
          duplicateF0: true,
        },
      ],
    );
    // an image whose run has no time row
    await writeFolderExport(join(dir, 'messy-extra'), [0], [{ name: 'BB02-1', well: 1, runs: [9] }]);
    await copyFile(
      join(dir, 'messy-extra', 'embryo_dataset', 'BB02-1', 'D2016.01.07_S1234_I141_WELL1_RUN9.jpeg'),
      join(root, 'embryo_dataset', 'BB02-1', 'D2016.01.07_S1234_I141_WELL1_RUN9.jpeg'),
    );

    const report = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });

    expect(report.status).toBe('PARTIAL');
    expect(itemOf(report, 'embryo_dataset_F15/BB02-1/D2016.01.07_S1234_I141_WELL1_RUN2.jpeg')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/premature end of JPEG/i),
    });
    expect(itemOf(report, 'embryo_dataset/BB02-1/F0')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('duplicate plane subfolder'),
    });
    expect(itemOf(report, 'embryo_dataset/BB02-1/D2016.01.07_S1234_I141_WELL1_RUN9.jpeg')).toMatchObject({
      status: 'skipped',
      reason: 'no time for RUN9 in BB02-1_timeElapsed.csv',
    });
    const embryoItem = itemOf(report, 'embryo BB02-1')!;
    expect(embryoItem.status).toBe('stored');
    expect(embryoItem.reason).toContain('13 frames stored'); // 15 images − 1 truncated − 1 missing
    expect(embryoItem.reason).toContain('3 banners cropped');
    expect(embryoItem.reason).toContain('1 run with an image in some planes only (RUN 3)');
    expect(embryoItem.reason).toContain('2 time rows without an image (RUN 6–7)');

    const embryo = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ clinicId: clinic.id, externalId: 'BB02-1' });
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryo.id }, relations: { image: true } });
    expect(frames).toHaveLength(13);
    // the bannered frame keeps its bottom square, as a lossless gray PNG
    const bannered = frames.filter((f) => f.run === 4);
    expect(bannered.map((f) => [f.width, f.height, f.image!.mime])).toEqual([
      [48, 48, 'image/png'],
      [48, 48, 'image/png'],
      [48, 48, 'image/png'],
    ]);
    const meta = await sharp(bannered[0].image!.bytes).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([48, 48, 1]);
    const run = await db.dataSource.getRepository(ImportRun).findOneByOrFail({ id: report.importRunId });
    expect([run.status, run.failed, run.skipped, run.stored]).toEqual(['PARTIAL', 1, 2, 1]);
  });

  it('refuses a decompression bomb per frame with its size and stores the rest of the embryo', async () => {
    const root = join(dir, 'bombs');
    await writeFolderExport(root, [0], [{ name: 'BB09-1', well: 1, runs: [1, 2, 3, 4] }]);
    // a 100 kB PNG stating 8200×8200 pixels (67 MP, under libvips' own limit) and a bare JPEG header of 30000×30000
    await writeFile(join(root, 'embryo_dataset', 'BB09-1', frameFileName(1, 2)), await pngBomb(8200, 8200));
    await writeFile(join(root, 'embryo_dataset', 'BB09-1', frameFileName(1, 3)), jpegHeaderBomb(30000, 30000));

    const report = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });

    expect(report.status).toBe('PARTIAL');
    expect(itemOf(report, `embryo_dataset/BB09-1/${frameFileName(1, 2)}`)).toMatchObject({
      status: 'failed',
      reason: 'image is 8200×8200 pixels (67 megapixels), above the limit of 64 megapixels (IMAGE_MAX_MEGAPIXELS)',
    });
    expect(itemOf(report, `embryo_dataset/BB09-1/${frameFileName(1, 3)}`)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^image is 30000×30000 pixels/),
    });
    expect(itemOf(report, 'embryo BB09-1')).toMatchObject({
      status: 'stored',
      reason: expect.stringContaining('2 frames stored'),
    });
    const embryo = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ clinicId: clinic.id, externalId: 'BB09-1' });
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryo.id }, order: { run: 'ASC' } });
    expect(frames.map((f) => [f.run, f.width])).toEqual([
      [1, 48],
      [4, 48],
    ]);
  });

  it('never overrides an outcome a person recorded with the annotations of a re-import', async () => {
    const root = join(dir, 'recorded');
    await writeFolderExport(
      root,
      [0],
      [
        {
          name: 'GG07-1',
          well: 1,
          runs: [1, 2],
          phases: [
            ['tPB2', 1, 1],
            ['tB', 2, 2],
          ],
        },
      ],
    );
    await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });
    const embryos = db.dataSource.getRepository(Embryo);
    const embryo = await embryos.findOneByOrFail({ clinicId: clinic.id, externalId: 'GG07-1' });
    expect([embryo.outcome, embryo.outcomeSource]).toEqual(['BLASTOCYST', 'annotations']);
    const user = await newUser(db.dataSource);
    await embryos.update(embryo.id, {
      outcome: 'NOT_BLASTOCYST',
      outcomeSource: 'user',
      outcomeRecordedBy: user.id,
      outcomeRecordedAt: new Date(),
    });
    const again = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });
    expect(again.counts.alreadyStored).toBe(1);
    expect((await embryos.findOneByOrFail({ id: embryo.id })).outcome).toBe('NOT_BLASTOCYST');
  });

  it('refuses an embryo without a time file and a folder that is no export', async () => {
    const root = join(dir, 'no-time');
    await writeFolderExport(root, [0], [{ name: 'CC03-1', well: 1, runs: [1, 2] }]);
    await rm(join(root, 'embryo_dataset_time_elapsed'), { recursive: true });
    const report = await imports.importFolder(root, { grant: db.services.system.clinic(clinic.id) });
    expect(report.status).toBe('FAILED');
    expect(itemOf(report, 'embryo CC03-1')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('CC03-1_timeElapsed.csv is missing'),
    });
    expect(await db.dataSource.getRepository(Embryo).countBy({ externalId: 'CC03-1' })).toBe(0);

    const unreadable = join(dir, 'unreadable');
    await writeFolderExport(
      unreadable,
      [0],
      [
        {
          name: 'CC03-2',
          well: 2,
          runs: [1, 2],
          truncated: [
            { run: 1, plane: 0 },
            { run: 2, plane: 0 },
          ],
        },
      ],
    );
    const none = await imports.importFolder(unreadable, { grant: db.services.system.clinic(clinic.id) });
    expect(itemOf(none, 'embryo CC03-2')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^no readable frames/),
    });
    expect(none.items.filter((i) => i.status === 'failed')).toHaveLength(3);
    expect(await db.dataSource.getRepository(Embryo).countBy({ externalId: 'CC03-2' })).toBe(0);

    await expect(imports.importFolder(dir, { grant: db.services.system.clinic(clinic.id) })).rejects.toThrow(
      /not a time-lapse folder export/,
    );
    await expect(
      imports.importFolder(root, { grant: db.services.system.clinic('00000000-0000-0000-0000-000000000000') }),
    ).rejects.toThrow(/no clinic/);
  });
});
