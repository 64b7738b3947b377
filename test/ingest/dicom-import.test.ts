import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Embryo, Frame, type Clinic } from '../../src/entities';
import type { ImportService } from '../../src/ingest/import.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dicomFile, perFrameGroup, type DicomItem } from './support/dicom-writer';
import { newClinic, newCycle, newPatient } from '../helpers/factories';
import { grayJpeg, noise } from '../helpers/ingest-fixtures';

const VL_MICROSCOPIC = '1.2.840.10008.5.1.4.1.1.77.1.2';
const SC_MULTIFRAME_WORD = '1.2.840.10008.5.1.4.1.1.7.3';
const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const STUDY = '1.2.826.0.1.3680043.10.100';
const SERIES_1 = '1.2.826.0.1.3680043.10.100.1';
const SERIES_2 = '1.2.826.0.1.3680043.10.100.2';

function image(over: DicomItem & Record<string, [string, unknown]>): DicomItem {
  return {
    '00080016': ['UI', VL_MICROSCOPIC],
    '00100020': ['LO', 'PAT-1'],
    '0020000D': ['UI', STUDY],
    '0020000E': ['UI', SERIES_1],
    '00280002': ['US', 1],
    '00280004': ['CS', 'MONOCHROME2'],
    '00280010': ['US', 16],
    '00280011': ['US', 16],
    '00280100': ['US', 8],
    '00280101': ['US', 8],
    '00280103': ['US', 0],
    ...over,
  } as DicomItem;
}

describe('DICOM import', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let imports: ImportService;
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-dicom-'));
    clinic = await newClinic(db.dataSource);
    imports = db.services.imports;
    const patient = await newPatient(db.dataSource, clinic, { mrn: 'PAT-1' });
    await newCycle(db.dataSource, clinic, {
      patient,
      externalId: STUDY,
      inseminationAt: new Date('2026-01-05T09:00:00Z'),
    });

    // a: single frame, 8-bit, plane from the top-level plane position sequence
    files['a-single-8bit.dcm'] = dicomFile(
      image({
        '00080018': ['UI', '1.2.826.0.1.3680043.10.100.1.1'],
        '0008002A': ['DT', '20260105120000'],
        '0048021A': ['SQ', [{ '0040074A': ['DS', '-15'] }]],
        '7FE00010': ['OB', noise(1, 256)],
      }),
    );
    // b: three frames, 16-bit with 12 bits stored, per-frame times and planes
    const words = Buffer.alloc(3 * 256 * 2);
    for (let i = 0; i < 3 * 256; i++) words.writeUInt16LE(i % 4096, i * 2);
    files['b-multiframe-16bit.dcm'] = dicomFile(
      image({
        '00080016': ['UI', SC_MULTIFRAME_WORD],
        '00080018': ['UI', '1.2.826.0.1.3680043.10.100.1.2'],
        '00280008': ['IS', '3'],
        '00280100': ['US', 16],
        '00280101': ['US', 12],
        '52009230': [
          'SQ',
          [perFrameGroup('20260105120000', 0), perFrameGroup('20260105120000', 15), perFrameGroup('20260105180000', 0)],
        ],
        '7FE00010': ['OW', words],
      }),
    );
    // c: RGB secondary capture of another embryo; ContentDate/Time in a +01:00 zone, plane in a private tag
    files['c-rgb.dcm'] = dicomFile(
      image({
        '00080016': ['UI', SECONDARY_CAPTURE],
        '00080018': ['UI', '1.2.826.0.1.3680043.10.100.2.1'],
        '0020000E': ['UI', SERIES_2],
        '0008103E': ['LO', 'Well A4'],
        '00080023': ['DA', '20260105'],
        '00080033': ['TM', '130000'],
        '00080201': ['SH', '+0100'],
        '00091010': ['DS', '30'],
        '00280002': ['US', 3],
        '00280004': ['CS', 'RGB'],
        '00280006': ['US', 0],
        '7FE00010': ['OB', noise(3, 16 * 16 * 3)],
      }),
    );
    // d: JPEG baseline, encapsulated
    files['d-jpeg.dcm'] = dicomFile(
      image({
        '00080018': ['UI', '1.2.826.0.1.3680043.10.100.2.2'],
        '0020000E': ['UI', SERIES_2],
        '0008002A': ['DT', '20260105150000+0000'],
        '7FE00010': ['OB', { fragments: [await grayJpeg(9, 16)] }],
      }),
      '1.2.840.10008.1.2.4.50',
    );
    // the messes
    files['e-cut-in-half.dcm'] = files['b-multiframe-16bit.dcm'].subarray(
      0,
      Math.floor(files['b-multiframe-16bit.dcm'].length / 2),
    );
    files['f-readme.txt'] = Buffer.from('not an image at all');
    files['g-jpeg2000.dcm'] = dicomFile(
      image({
        '00080018': ['UI', '1.2.826.0.1.3680043.10.100.1.9'],
        '0008002A': ['DT', '20260105230000'],
        '7FE00010': ['OB', { fragments: [Buffer.from('ff4fff51', 'hex')] }],
      }),
      '1.2.840.10008.1.2.4.90',
    );
    files['h-other-study.dcm'] = dicomFile(
      image({
        '00080018': ['UI', '1.2.826.0.1.3680043.10.200.1.1'],
        '00100020': ['LO', 'PAT-2'],
        '0020000D': ['UI', '1.2.826.0.1.3680043.10.200'],
        '0020000E': ['UI', '1.2.826.0.1.3680043.10.200.1'],
        '0008002A': ['DT', '20260106120000'],
        '7FE00010': ['OB', noise(4, 256)],
      }),
    );
    await mkdir(join(dir, 'push'));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, 'push', name), bytes);
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const item = (report: { items: { item: string }[] }, name: string) =>
    report.items.find((i) => i.item === join(dir, 'push', name));

  it('stores every decodable instance with hpi from the cycle, and names the problem of every other file', async () => {
    const report = await imports.importDicom([join(dir, 'push')], {
      grant: db.services.system.clinic(clinic.id),
      focalPlaneTag: '00091010',
    });

    expect(item(report, 'a-single-8bit.dcm')).toMatchObject({ status: 'stored' });
    expect(item(report, 'b-multiframe-16bit.dcm')).toMatchObject({
      status: 'stored',
      reason: expect.stringContaining('3 frame(s) stored'),
    });
    expect(item(report, 'c-rgb.dcm')).toMatchObject({
      status: 'stored',
      reason: expect.stringContaining('private tag'),
    });
    expect(item(report, 'd-jpeg.dcm')).toMatchObject({ status: 'stored' });
    expect(item(report, 'e-cut-in-half.dcm')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/truncated|pixel data holds/),
    });
    expect(item(report, 'f-readme.txt')).toMatchObject({
      status: 'skipped',
      reason: 'not a DICOM Part 10 file (no "DICM" at byte 128)',
    });
    // a JPEG 2000 code stream cut after its first marker: refused by name, with what is wrong
    expect(item(report, 'g-jpeg2000.dcm')).toMatchObject({
      status: 'failed',
      reason: '1.2.826.0.1.3680043.10.100.1.9#1: JPEG 2000 frame is truncated (no end-of-image marker)',
    });
    expect(item(report, 'h-other-study.dcm')).toMatchObject({
      status: 'skipped',
      reason: 'cycle 1.2.826.0.1.3680043.10.200 has no insemination time; import its cycle sheet first',
    });
    expect(report.framesStored).toBe(6);

    const embryo1 = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ clinicId: clinic.id, externalId: SERIES_1 });
    const frames1 = await db.dataSource.getRepository(Frame).find({
      where: { embryoId: embryo1.id },
      relations: { image: true },
      order: { hoursPostInsemination: 'ASC', focalPlaneUm: 'ASC' },
    });
    expect(
      frames1.map((f) => [f.hoursPostInsemination, f.focalPlaneUm, f.acquiredAt!.toISOString(), f.image!.mime]),
    ).toEqual([
      [3, -15, '2026-01-05T12:00:00.000Z', 'image/png'],
      [3, 0, '2026-01-05T12:00:00.000Z', 'image/png'],
      [3, 15, '2026-01-05T12:00:00.000Z', 'image/png'],
      [9, 0, '2026-01-05T18:00:00.000Z', 'image/png'],
    ]);
    // 16-bit source → 16-bit gray PNG, 12-bit values scaled to the full 16-bit range
    const sixteen = frames1[1].image!.bytes;
    const decoded = await sharp(sixteen)
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    expect([decoded.info.channels, decoded.data.length]).toEqual([1, 16 * 16 * 2]);
    expect(decoded.data.readUInt16LE(2 * 255)).toBe((255 << 4) | (255 >> 8));

    const embryo2 = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ clinicId: clinic.id, externalId: SERIES_2 });
    expect(embryo2.label).toBe('Well A4');
    const frames2 = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryo2.id }, relations: { image: true }, order: { hoursPostInsemination: 'ASC' } });
    // c: 13:00+01:00 = 12:00Z = 3 hpi, 30 µm from the private tag, RGB made gray; d: 15:00Z = 6 hpi
    expect(frames2.map((f) => [f.hoursPostInsemination, f.focalPlaneUm, f.image!.mime])).toEqual([
      [3, 30, 'image/png'],
      [6, 0, 'image/jpeg'],
    ]);
    expect((await sharp(frames2[0].image!.bytes).metadata()).channels).toBe(1);
  });

  it('re-importing is a no-op thanks to SOPInstanceUID dedup, and a study is stored once its cycle has an insemination time', async () => {
    const before = await db.dataSource.getRepository(Frame).count();
    const again = await imports.importDicom([join(dir, 'push')], {
      grant: db.services.system.clinic(clinic.id),
      focalPlaneTag: '00091010',
    });
    expect(item(again, 'b-multiframe-16bit.dcm')).toMatchObject({
      status: 'alreadyStored',
      reason: 'instance 1.2.826.0.1.3680043.10.100.1.2 already imported',
    });
    expect(again.counts.stored).toBe(0);
    expect(again.counts.alreadyStored).toBe(4);
    expect(await db.dataSource.getRepository(Frame).count()).toBe(before);

    const patient = await newPatient(db.dataSource, clinic, { mrn: 'PAT-2' });
    await newCycle(db.dataSource, clinic, {
      patient,
      externalId: '1.2.826.0.1.3680043.10.200',
      inseminationAt: new Date('2026-01-06T08:00:00Z'),
    });
    const third = await imports.importDicom([join(dir, 'push', 'h-other-study.dcm')], {
      grant: db.services.system.clinic(clinic.id),
    });
    expect(third.items).toEqual([
      {
        item: join(dir, 'push', 'h-other-study.dcm'),
        status: 'stored',
        reason: expect.stringContaining('1 frame(s) stored'),
      },
    ]);
  });

  it('refuses a study whose PatientID is not the cycle patient', async () => {
    const wrong = join(dir, 'wrong-patient.dcm');
    await writeFile(
      wrong,
      dicomFile(
        image({
          '00080018': ['UI', '1.2.826.0.1.3680043.10.100.1.77'],
          '00100020': ['LO', 'PAT-9'],
          '0008002A': ['DT', '20260105200000'],
          '7FE00010': ['OB', noise(7, 256)],
        }),
      ),
    );
    const report = await imports.importDicom([wrong], { grant: db.services.system.clinic(clinic.id) });
    expect(report.items[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('cycle of patient PAT-1, but the file says PatientID PAT-9'),
    });
    expect(report.status).toBe('FAILED');
  });

  it('splits multi-frame JPEG baseline pixel data into one frame per fragment', async () => {
    const path = join(dir, 'multi-jpeg.dcm');
    await writeFile(
      path,
      dicomFile(
        image({
          '00080016': ['UI', '1.2.840.10008.5.1.4.1.1.7.2'],
          '00080018': ['UI', '1.2.826.0.1.3680043.10.100.3.1'],
          '0020000E': ['UI', '1.2.826.0.1.3680043.10.100.3'],
          '00280008': ['IS', '2'],
          '52009230': ['SQ', [perFrameGroup('20260105210000', -30), perFrameGroup('20260105210000', 30)]],
          '7FE00010': ['OB', { fragments: [await grayJpeg(21, 16), await grayJpeg(22, 16)] }],
        }),
        '1.2.840.10008.1.2.4.50',
      ),
    );
    const report = await imports.importDicom([path], { grant: db.services.system.clinic(clinic.id) });
    expect(report.items[0]).toMatchObject({ status: 'stored', reason: expect.stringContaining('2 frame(s) stored') });
    const embryo = await db.dataSource
      .getRepository(Embryo)
      .findOneByOrFail({ externalId: '1.2.826.0.1.3680043.10.100.3' });
    const frames = await db.dataSource
      .getRepository(Frame)
      .find({ where: { embryoId: embryo.id }, order: { focalPlaneUm: 'ASC' } });
    expect(frames.map((f) => [f.hoursPostInsemination, f.focalPlaneUm, f.source])).toEqual([
      [12, -30, '1.2.826.0.1.3680043.10.100.3.1#1'],
      [12, 30, '1.2.826.0.1.3680043.10.100.3.1#2'],
    ]);
    expect(frames[0].sha256).not.toBe(frames[1].sha256);
  });
});
