import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Embryo, Frame, ImportRunItem, type Clinic } from '../../src/entities';
import type { ImportService } from '../../src/ingest/import.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle } from '../helpers/factories';
import { writePdb } from '../helpers/ingest-fixtures';

describe('EmbryoScope slide file (.pdb) import', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let imports: ImportService;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-pdb-'));
    clinic = await newClinic(db.dataSource);
    imports = db.services.imports;
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores one embryo per well with hpi = (Time − Fertilization) × 24, reports a bad blob and a non-SQLite file', async () => {
    const slide = join(dir, 'S0042.pdb');
    await writePdb(slide, {
      fertilizationDays: 46000.5,
      wells: [
        { well: 1, runs: [1, 2, 3], planes: [-15, 0, 15] },
        { well: 2, runs: [1, 2], planes: [0], truncated: [{ run: 2, plane: 0 }] },
      ],
    });
    const junk = join(dir, 'notes.pdb');
    await writeFile(junk, 'this is not a database');

    const report = await imports.importPdb([slide, junk], { grant: db.services.system.clinic(clinic.id) });

    expect(report.status).toBe('PARTIAL');
    expect(report.items.find((i) => i.item === 'embryo S0042-WELL1')).toMatchObject({
      status: 'stored',
      reason: expect.stringContaining('9 frames stored'),
    });
    expect(report.items.find((i) => i.item === 'embryo S0042-WELL2')).toMatchObject({
      status: 'stored',
      reason: expect.stringContaining('1 frames stored'),
    });
    expect(report.items.find((i) => i.item === 'S0042 well 2 run 2 focal 0')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('premature end'),
    });
    expect(report.items.find((i) => i.item === junk)).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('cannot open as SQLite'),
    });

    const embryo = await db.dataSource
      .getRepository(Embryo)
      .findOneOrFail({ where: { clinicId: clinic.id, externalId: 'S0042-WELL1' }, relations: { cycle: true } });
    expect([embryo.label, embryo.cycle!.externalId]).toEqual(['WELL1', 'unassigned']);
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryo.id }, order: { hoursPostInsemination: 'ASC', focalPlaneUm: 'ASC' } });
    expect(frames.map((f) => f.focalPlaneUm).slice(0, 3)).toEqual([-15, 0, 15]);
    expect(frames.map((f) => f.hoursPostInsemination)).toEqual(
      [0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 0.75].map((h) => expect.closeTo(h, 6)),
    );

    const again = await imports.importPdb([slide], { grant: db.services.system.clinic(clinic.id) });
    expect(again.counts).toMatchObject({ stored: 0, alreadyStored: 2 });
    expect(again.framesStored).toBe(0);
    expect(await db.dataSource.getRepository(Frame).count()).toBe(10);
    expect(await db.dataSource.getRepository(ImportRunItem).countBy({ importRunId: again.importRunId })).toBe(3); // 2 wells + the still-bad blob
  });

  it('puts the embryos of a slide into a named cycle and gives frames wall-clock times', async () => {
    const cycle = await newCycle(db.dataSource, clinic, {
      externalId: 'CY-7',
      inseminationAt: new Date('2026-03-01T08:00:00Z'),
    });
    const slide = join(dir, 'S0043.pdb');
    await writePdb(slide, { fertilizationDays: 46000, wells: [{ well: 5, runs: [4], planes: [0] }] });
    const report = await imports.importPdb([slide], {
      grant: db.services.system.clinic(clinic.id),
      cycleExternalId: 'CY-7',
    });
    expect(report.status).toBe('SUCCEEDED');
    const embryo = await db.dataSource.getRepository(Embryo).findOneByOrFail({ externalId: 'S0043-WELL5' });
    expect(embryo.cycleId).toBe(cycle.id);
    const [frame] = await db.dataSource.getRepository(Frame).findBy({ embryoId: embryo.id });
    expect(frame.acquiredAt!.toISOString()).toBe('2026-03-01T09:00:00.000Z');

    await expect(
      imports.importPdb([slide], { grant: db.services.system.clinic(clinic.id), cycleExternalId: 'nope' }),
    ).rejects.toThrow(/no cycle nope/);
  });
});
