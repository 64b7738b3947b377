import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEvent, Cycle, Embryo, Frame, Patient, type Clinic } from '../../src/entities';
import type { ImportService } from '../../src/ingest/import.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic } from '../helpers/factories';
import { writeFolderExport } from '../helpers/ingest-fixtures';

const HEADER = 'mrn,patient_name,cycle_id,insemination_at,method,embryo_label,embryo_external_id';

describe('cycle sheet import', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let imports: ImportService;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-sheet-'));
    clinic = await newClinic(db.dataSource);
    imports = db.services.imports;
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates patients, cycles and embryos, claims waiting embryos, reports bad rows, and re-imports as a no-op', async () => {
    // an embryo imported before its cycle was known waits in `unassigned`
    await writeFolderExport(join(dir, 'export'), [0], [{ name: 'DD04-1', well: 1, runs: [1, 4] }]);
    await imports.importFolder(join(dir, 'export'), { grant: db.services.system.clinic(clinic.id) });
    const sheet = join(dir, 'cycles.csv');
    await writeFile(
      sheet,
      [
        HEADER,
        'P-001,Ada Lovelace,CY-1,2026-02-01T09:00:00+01:00,ICSI,A1,DD04-1',
        'P-001,Ada Lovelace,CY-1,2026-02-01T09:00:00+01:00,ICSI,A2,CY-1-A2',
        'P-002,,CY-2,2026-02-31T10:00:00Z,IVF,B1,CY-2-B1',
        'P-003,,CY-3,2026-02-02 10:00,IVF,,',
        'P-004,,CY-4,2026-02-02T10:00:00Z,GIFT,,',
        'P-005,Grace Hopper,CY-5,2026-02-03T08:30:00Z,,,',
      ].join('\n'),
    );

    const report = await imports.importCycleSheet(sheet, { grant: db.services.system.clinic(clinic.id) });

    expect(report.status).toBe('PARTIAL');
    expect(report.items).toEqual([
      {
        item: 'row 2 (cycle CY-1)',
        status: 'stored',
        reason: 'patient P-001 created; cycle CY-1 created; embryo DD04-1 linked to cycle CY-1 (2 frames timed)',
      },
      { item: 'row 3 (cycle CY-1)', status: 'stored', reason: 'embryo CY-1-A2 created' },
      {
        item: 'row 4 (cycle CY-2)',
        status: 'failed',
        reason: 'insemination_at "2026-02-31T10:00:00Z" is not a valid date',
      },
      {
        item: 'row 5 (cycle CY-3)',
        status: 'failed',
        reason: expect.stringContaining('is not an ISO 8601 date-time with a zone'),
      },
      { item: 'row 6 (cycle CY-4)', status: 'failed', reason: 'method "GIFT" must be IVF or ICSI' },
      { item: 'row 7 (cycle CY-5)', status: 'stored', reason: 'patient P-005 created; cycle CY-5 created' },
    ]);
    const cycle = await db.dataSource
      .getRepository(Cycle)
      .findOneOrFail({ where: { clinicId: clinic.id, externalId: 'CY-1' }, relations: { patient: true } });
    expect([cycle.patient!.mrn, cycle.patient!.displayName, cycle.method, cycle.inseminationAt!.toISOString()]).toEqual(
      ['P-001', 'Ada Lovelace', 'ICSI', '2026-02-01T08:00:00.000Z'],
    );
    const claimed = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ clinicId: clinic.id, externalId: 'DD04-1' });
    expect([claimed.cycleId, claimed.label]).toEqual([cycle.id, 'A1']);
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: claimed.id }, order: { run: 'ASC' } });
    expect(frames.map((f) => f.acquiredAt!.toISOString())).toEqual([
      '2026-02-01T08:15:00.000Z',
      '2026-02-01T09:00:00.000Z',
    ]);
    expect(await db.dataSource.getRepository(Patient).countBy({ clinicId: clinic.id, mrn: 'P-002' })).toBe(0);
    expect(
      await db.dataSource.getRepository(AuditEvent).countBy({ action: 'CYCLE_CREATED', clinicId: clinic.id }),
    ).toBe(2);

    const again = await imports.importCycleSheet(sheet, { grant: db.services.system.clinic(clinic.id) });
    expect(again.counts).toEqual({ stored: 0, alreadyStored: 3, skipped: 0, failed: 3 });
  });

  it('refuses a row that contradicts the stored cycle, and a sheet without the expected columns', async () => {
    const sheet = join(dir, 'conflict.csv');
    await writeFile(
      sheet,
      [
        HEADER,
        'P-009,,CY-9,2026-03-01T09:00:00Z,IVF,,',
        'P-009,,CY-9,2026-03-01T10:00:00Z,IVF,,',
        'P-010,,CY-9,2026-03-01T09:00:00Z,IVF,,',
        'P-009,,CY-9,2026-03-01T09:00:00Z,IVF,X1,DD04-1',
      ].join('\n'),
    );
    const report = await imports.importCycleSheet(sheet, { grant: db.services.system.clinic(clinic.id) });
    expect(report.items.map((i) => [i.status, i.reason])).toEqual([
      ['stored', 'patient P-009 created; cycle CY-9 created'],
      [
        'failed',
        'cycle CY-9 already has insemination time 2026-03-01T09:00:00.000Z; the sheet says 2026-03-01T10:00:00.000Z',
      ],
      ['failed', 'cycle CY-9 belongs to patient P-009, not P-010'],
      ['failed', 'embryo DD04-1 already belongs to cycle CY-1'],
    ]);
    // the conflicting row rolled back whole: its new patient was not kept
    expect(await db.dataSource.getRepository(Patient).countBy({ clinicId: clinic.id, mrn: 'P-010' })).toBe(0);

    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'mrn,cycle\nP-1,C-1\n');
    await expect(imports.importCycleSheet(bad, { grant: db.services.system.clinic(clinic.id) })).rejects.toThrow(
      /missing columns patient_name, cycle_id, insemination_at/,
    );
  });

  it('refuses the reserved "unassigned" cycle id in any case, and audits a patient renamed by a sheet', async () => {
    const sheet = join(dir, 'rules.csv');
    await writeFile(
      sheet,
      [
        HEADER,
        'P-020,Marie Curie,CY-20,2026-04-01T09:00:00Z,IVF,,',
        'P-021,,Unassigned,2026-04-01T09:00:00Z,IVF,,',
        'P-020,Marie Sklodowska-Curie,CY-20,2026-04-01T09:00:00Z,IVF,,',
      ].join('\n'),
    );
    const report = await imports.importCycleSheet(sheet, { grant: db.services.system.clinic(clinic.id) });
    expect(report.items.map((i) => [i.status, i.reason])).toEqual([
      ['stored', 'patient P-020 created; cycle CY-20 created'],
      ['failed', 'cycle_id "unassigned" is reserved'],
      ['stored', 'patient P-020 renamed'],
    ]);
    const patient = await db.dataSource.getRepository(Patient).findOneByOrFail({ clinicId: clinic.id, mrn: 'P-020' });
    expect(patient.displayName).toBe('Marie Sklodowska-Curie');
    const events = await db.dataSource
      .getRepository(AuditEvent)
      .findBy({ entityId: patient.id, action: 'PATIENT_UPDATED' });
    expect(events).toEqual([
      expect.objectContaining({ clinicId: clinic.id, detail: { changed: ['displayName'], source: 'cycle sheet' } }),
    ]);
  });
});
