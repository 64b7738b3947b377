import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { AuditEvent, type Clinic } from '../../src/entities';
import { splitByGroup } from '../../src/inference/export/dataset-split';
import { readNpy } from '../../src/inference/npy';
import { preprocessFrame } from '../../src/inference/preprocess';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame, newFrameImage, newPatient } from '../helpers/factories';

describe('patient-grouped split', () => {
  const groups = new Map(Array.from({ length: 200 }, (_, i) => [`p${i}`, 1 + (i % 4)]));

  it('keeps every patient in one split, close to the fractions, the same for the same seed', () => {
    const a = splitByGroup(groups, { train: 0.7, val: 0.15, test: 0.15 }, 7);
    expect(a.size).toBe(200);
    const embryosIn = (split: string) =>
      [...a].filter(([, s]) => s === split).reduce((n, [g]) => n + groups.get(g)!, 0);
    const total = [...groups.values()].reduce((x, y) => x + y, 0);
    expect(Math.abs(embryosIn('train') / total - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(embryosIn('test') / total - 0.15)).toBeLessThan(0.02);
    expect(splitByGroup(groups, { train: 0.7, val: 0.15, test: 0.15 }, 7)).toEqual(a);
    expect(splitByGroup(groups, { train: 0.7, val: 0.15, test: 0.15 }, 8)).not.toEqual(a);
  });

  it('refuses fractions that do not add up to 1 and honours a zero share', () => {
    expect(() => splitByGroup(groups, { train: 0.8, val: 0.15, test: 0.15 }, 1)).toThrow(/add up to 1/);
    expect([...splitByGroup(groups, { train: 0.8, val: 0, test: 0.2 }, 1).values()]).not.toContain('val');
  });
});

describe('dataset export (DatasetExportService)', () => {
  let db: TestDatabase;
  let dir: string;
  let clinic: Clinic;
  let broken: string;
  let pngs: Buffer[];

  const grey = (seed: number) =>
    sharp(
      randomBytes(40 * 40).map((b) => 60 + (((b % 100) + seed) % 128)),
      { raw: { width: 40, height: 40, channels: 1 } },
    )
      .png()
      .toBuffer();

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-export-'));
    const ds = db.dataSource;
    clinic = await newClinic(ds);
    pngs = await Promise.all([1, 2, 3].map((s) => grey(s)));
    const images = await Promise.all(pngs.map((png) => newFrameImage(ds, png, 'image/png')));
    // three patients: 2 + 2 + 1 embryos with outcomes; frames at 6k+3 hpi at 0 µm, all 28 segments (the last patient's embryo stops at day 3)
    for (const [p, outcomes] of [
      ['BLASTOCYST', 'NOT_BLASTOCYST'],
      ['BLASTOCYST', 'BLASTOCYST'],
      ['NOT_BLASTOCYST'],
    ].entries()) {
      const cycle = await newCycle(ds, clinic, { patient: await newPatient(ds, clinic) });
      for (const outcome of outcomes) {
        const embryo = await newEmbryo(ds, cycle, { outcome: outcome as 'BLASTOCYST' });
        const segments = p === 2 ? 12 : 28;
        for (let k = 0; k < segments; k++)
          await newFrame(ds, embryo, {
            hoursPostInsemination: 6 * k + 3,
            focalPlaneUm: 0,
            sha256: images[k % 3],
            width: 40,
            height: 40,
          });
      }
    }
    // not exported: outcome unknown; skipped with a reason: an undecodable image
    const cycle = await newCycle(ds, clinic);
    await newFrame(ds, await newEmbryo(ds, cycle), { hoursPostInsemination: 3, sha256: images[0] });
    const bad = await newEmbryo(ds, cycle, { outcome: 'BLASTOCYST' });
    broken = bad.id;
    await newFrame(ds, bad, { hoursPostInsemination: 3, bytes: Buffer.from('not a png') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
  });

  const parseCsv = (text: string) => {
    const [header, ...rows] = text
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  };

  it('writes PNG frames, labels and a patient-grouped split; skips what cannot be read', async () => {
    const out = join(dir, 'png');
    const report = await db.services.exports.export(
      { outDir: out, planes: [0], inputSize: 32, seed: 3, fractions: { train: 0.6, val: 0.2, test: 0.2 } },
      db.services.system.withRequestId('export-1').clinic(clinic.id),
    );
    expect(report.embryos).toBe(5);
    expect(report.skipped).toEqual([{ embryoId: broken, reason: expect.stringMatching(/decode/) }]);
    const labels = parseCsv(await readFile(join(out, 'labels.csv'), 'utf8'));
    expect(labels).toHaveLength(5);
    expect(labels.filter((l) => l.label === '1')).toHaveLength(3);
    // siblings share a group and a split
    const splitOfGroup = new Map<string, string>();
    for (const l of labels) {
      expect(splitOfGroup.get(l.patient_group) ?? l.split).toBe(l.split);
      splitOfGroup.set(l.patient_group, l.split);
    }
    expect(splitOfGroup.size).toBe(3);
    expect(labels.map((l) => Number(l.segments)).sort((a, b) => a - b)).toEqual([12, 28, 28, 28, 28]);
    const full = labels.find((l) => l.segments === '28')!;
    const files = await readdir(join(out, full.path));
    expect(files).toHaveLength(28);
    const meta = await sharp(await readFile(join(out, full.path, 'seg27_plane0.png'))).metadata();
    expect(meta).toMatchObject({ width: 32, height: 32, channels: 1 });
    // the pixels are the scoring worker's preprocessing of the sampled frame (segment 1 → image 1), in 8 bits
    const exported = await sharp(await readFile(join(out, full.path, 'seg01_plane0.png')))
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    const expected = await preprocessFrame(pngs[1], 32);
    expect([...exported]).toEqual([...expected].map((v) => Math.round(v * 255)));
    expect(await readFile(join(out, 'README.txt'), 'utf8')).toMatch(/model build .*--weights/);
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'))).toMatchObject({
      seed: 3,
      planes: [0],
      embryos: 5,
    });
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
    expect(await db.dataSource.getRepository(AuditEvent).findOneBy({ requestId: 'export-1' })).toMatchObject({
      action: 'EXPORT_DATASET',
      clinicId: clinic.id,
    });
  });

  it('writes the model input itself as .npy [28, F, S, S], zero after the observed segments', async () => {
    const out = join(dir, 'npy');
    await db.services.exports.export(
      { outDir: out, planes: [-15, 0], inputSize: 32, format: 'npy' },
      db.services.system.clinic(clinic.id),
    );
    const labels = parseCsv(await readFile(join(out, 'labels.csv'), 'utf8'));
    const short = labels.find((l) => l.segments === '12')!;
    const array = readNpy(await readFile(join(out, short.path)));
    expect(array.shape).toEqual([28, 2, 32, 32]);
    const plane = 32 * 32;
    const segment = (k: number) => array.data.subarray(k * 2 * plane, (k + 1) * 2 * plane);
    expect(Math.max(...segment(11))).toBeGreaterThan(0.2);
    expect(Math.max(...segment(11))).toBeLessThanOrEqual(1);
    expect(Math.max(...segment(12))).toBe(0);
    expect(Number(short.imputed_segments)).toBe(12); // −15 µm is missing everywhere and stands in from 0 µm
  });

  it('refuses a folder that already holds something, and a clinic without outcomes, writing nothing', async () => {
    const busy = join(dir, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'keep.txt'), 'x');
    await expect(db.services.exports.export({ outDir: busy }, db.services.system.clinic(clinic.id))).rejects.toThrow(
      /not an empty folder/,
    );
    expect(await readdir(busy)).toEqual(['keep.txt']);
    const empty = await newClinic(db.dataSource);
    await expect(
      db.services.exports.export({ outDir: join(dir, 'none') }, db.services.system.clinic(empty.id)),
    ).rejects.toThrow(/nothing to export/);
    expect((await readdir(dir)).sort()).toEqual(['busy', 'npy', 'png']);
  });
});
