import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Embryo, Frame, type Clinic } from '../../src/entities';
import { parseDicomFile } from '../../src/ingest/dicom/dicom-file';
import { normaliseRawFrame } from '../../src/ingest/frames/frame-normaliser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newPatient } from '../helpers/factories';
import {
  ENCODING_FIXTURES as FIXTURES,
  encodingManifest as manifest,
  expectedPixels,
  firstCodestream,
  grayInstance,
} from './support/dicom-encoding-fixtures';

/** One of each kind: native in every byte order, RLE, every JPEG process, JPEG-LS, JPEG 2000, HTJ2K. */
const MIX = [
  'explicit-le-gray8',
  'implicit-le-gray12',
  'explicit-be-rgb8',
  'explicit-be-signed16',
  'deflated-rgb8-planar',
  'explicit-le-gray32',
  'explicit-le-ybr-full-422',
  'palette-segmented',
  'rle-gray16',
  'rle-gray8-3frames',
  'jpeg-baseline-gray8',
  'jpeg-baseline-ybr-full-422',
  'jpeg-extended-gray12',
  'jpeg-lossless-sv1-signed16',
  'jpeg-ls-near-gray12',
  'jpeg-ls-rgb8',
  'j2k-lossless-gray16-3frames',
  'j2k-ybr-ict',
  'htj2k-lossless-gray16',
  'htj2k-gray12',
];
const fixture = (name: string) => manifest.fixtures.find((f) => f.name === name)!;

describe('DICOM import of a folder of mixed encodings', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  const seriesOf: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-dicom-encodings-'));
    clinic = await newClinic(db.dataSource);
    const patient = await newPatient(db.dataSource, clinic, { mrn: manifest.patientId });
    await newCycle(db.dataSource, clinic, {
      patient,
      externalId: manifest.studyInstanceUid,
      inseminationAt: new Date('2026-01-05T09:00:00Z'),
    });
    for (const name of MIX) {
      const bytes = await readFile(join(FIXTURES, 'dicom', `${name}.dcm`));
      seriesOf[name] = parseDicomFile(bytes).ds.string('x0020000e')!.trim();
      await copyFile(join(FIXTURES, 'dicom', `${name}.dcm`), join(dir, `${name}.dcm`));
    }
    // two broken instances of the same study: a JPEG 2000 code stream cut in half, a JPEG-LS scan overwritten
    const j2k = firstCodestream('j2k-lossless-gray8');
    const ls = firstCodestream('jpeg-ls-gray8');
    ls.fill(0xff, 40, ls.length - 2);
    await writeFile(
      join(dir, 'zz-broken-j2k.dcm'),
      grayInstance(1, ['OB', { fragments: [j2k.subarray(0, j2k.length >> 1)] }], {}, '1.2.840.10008.1.2.4.90'),
    );
    await writeFile(
      join(dir, 'zz-broken-jpeg-ls.dcm'),
      grayInstance(2, ['OB', { fragments: [ls] }], {}, '1.2.840.10008.1.2.4.80'),
    );
  });
  afterAll(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every instance in gray at its depth, and names each broken one with its reason', async () => {
    const report = await db.services.imports.importDicom([dir], { grant: db.services.system.clinic(clinic.id) });
    const item = (file: string) => report.items.find((i) => i.item === join(dir, file));

    for (const name of MIX) {
      expect({ name, ...item(`${name}.dcm`) }).toMatchObject({
        name,
        status: 'stored',
        reason: expect.stringContaining(`${fixture(name).frames} frame(s) stored`),
      });
    }
    expect(item('zz-broken-j2k.dcm')).toMatchObject({
      status: 'failed',
      reason: `${manifest.studyInstanceUid}.901.1#1: JPEG 2000 frame is truncated (no end-of-image marker)`,
    });
    expect(item('zz-broken-jpeg-ls.dcm')).toMatchObject({
      status: 'failed',
      reason: `${manifest.studyInstanceUid}.902.1#1: JPEG-LS frame cannot be decoded: the JPEG-LS (CharLS) decoder rejected the code stream (corrupt or unsupported data)`,
    });
    expect(report.framesStored).toBe(MIX.reduce((n, name) => n + fixture(name).frames, 0));
    // nothing of a refused instance is written, not even its embryo
    expect(
      await db.dataSource
        .getRepository(Embryo)
        .countBy({ clinicId: clinic.id, externalId: `${manifest.studyInstanceUid}.901` }),
    ).toBe(0);

    for (const name of MIX) {
      const embryo = await db.dataSource
        .getRepository(Embryo)
        .findOneByOrFail({ clinicId: clinic.id, externalId: seriesOf[name] });
      const frames = await db.dataSource
        .getRepository(Frame)
        .find({ where: { embryoId: embryo.id }, relations: { image: true } });
      expect(frames).toHaveLength(fixture(name).frames);
      for (const frame of frames) {
        const meta = await sharp(frame.image!.bytes).metadata();
        // an 8-bit gray JPEG is kept byte for byte; everything else is a gray PNG, 16-bit when the source has more than 8 bits
        expect({ name, mime: frame.image!.mime, channels: meta.channels, depth: meta.depth }).toEqual({
          name,
          mime: name === 'jpeg-baseline-gray8' ? 'image/jpeg' : 'image/png',
          channels: 1,
          depth: fixture(name).depth === 16 ? 'ushort' : 'uchar',
        });
      }
    }
  });

  it('stores exactly the source pixels of a lossless instance, in gray as any other colour source', async () => {
    const pixelsOf = async (name: string) => {
      const embryo = await db.dataSource
        .getRepository(Embryo)
        .findOneByOrFail({ clinicId: clinic.id, externalId: seriesOf[name] });
      const frame = await db.dataSource
        .getRepository(Frame)
        .findOneOrFail({ where: { embryoId: embryo.id }, relations: { image: true } });
      return sharp(frame.image!.bytes)
        .raw({ depth: fixture(name).depth === 16 ? 'ushort' : 'uchar' })
        .toBuffer();
    };
    const expected = async (name: string) => {
      const f = fixture(name);
      const normalised = await normaliseRawFrame(
        expectedPixels(f).subarray(0, 48 * 32 * f.channels),
        48,
        32,
        f.channels,
      );
      return sharp(normalised.bytes)
        .raw({ depth: f.depth === 16 ? 'ushort' : 'uchar' })
        .toBuffer();
    };
    for (const name of ['htj2k-lossless-gray16', 'explicit-be-signed16', 'jpeg-ls-rgb8', 'palette-segmented']) {
      expect({ name, equal: (await pixelsOf(name)).equals(await expected(name)) }).toEqual({ name, equal: true });
    }
  });
});
