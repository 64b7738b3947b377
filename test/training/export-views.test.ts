import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readNpy } from '../../src/inference/npy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame, newFrameImage, newPatient } from '../helpers/factories';
import { runTrainingModule } from './python';

/** `export dataset --frames-per-segment K`: several frames per segment for the trainer's random draw. */
describe('dataset export with several frames per segment', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'amsnet-export-views-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
  });

  it('keeps the scoring frame as view 0, adds others of the same segment, and the trainer reads it', async () => {
    const ds = db.dataSource;
    const clinic = await newClinic(ds);
    const png = (v: number) =>
      sharp(
        randomBytes(40 * 40).map((b) => v + (b % 8)),
        { raw: { width: 40, height: 40, channels: 1 } },
      )
        .png()
        .toBuffer();
    const images = await Promise.all([20, 120, 220].map(async (v) => newFrameImage(ds, await png(v), 'image/png')));
    for (const [i, outcome] of (['BLASTOCYST', 'NOT_BLASTOCYST', 'BLASTOCYST', 'NOT_BLASTOCYST'] as const).entries()) {
      const cycle = await newCycle(ds, clinic, { patient: await newPatient(ds, clinic) });
      const embryo = await newEmbryo(ds, cycle, { outcome });
      // three acquisitions per segment (1, 3, 5 h into it) for 6 segments; the last embryo has one per segment
      for (let k = 0; k < 6; k++)
        for (const [j, offset] of (i === 3 ? [3] : [1, 3, 5]).entries())
          await newFrame(ds, embryo, {
            hoursPostInsemination: 6 * k + offset,
            focalPlaneUm: 0,
            sha256: images[j],
            width: 40,
            height: 40,
          });
    }
    const out = join(dir, 'k2');
    const report = await db.services.exports.export(
      {
        outDir: out,
        planes: [0],
        inputSize: 32,
        format: 'npy',
        framesPerSegment: 2,
        fractions: { train: 0.5, val: 0.5, test: 0 },
      },
      db.services.system.clinic(clinic.id),
    );
    expect(report.framesPerSegment).toBe(2);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.framesPerSegment).toBe(2);
    const views = (await readFile(join(out, 'views.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const labels = (await readFile(join(out, 'labels.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    // labels.csv is not ordered by embryo creation: find each embryo by its number of views
    const viewsOf = (id: string) => views.filter((v) => v[0] === id).length;
    const [rich, single] = [labels.find((l) => viewsOf(l[0]) !== 6)?.[0], labels.find((l) => viewsOf(l[0]) === 6)?.[0]];
    expect(rich).toBeDefined();
    const ofRich = views.filter((v) => v[0] === rich);
    expect(ofRich).toHaveLength(12); // 6 segments × 2 views
    for (const [, segment, view, hpi] of ofRich) {
      if (view === '0')
        expect(Number(hpi)).toBe(6 * Number(segment) + 3); // what scoring uses
      else expect([6 * Number(segment) + 1, 6 * Number(segment) + 5]).toContain(Number(hpi));
      expect(Math.floor(Number(hpi) / 6)).toBe(Number(segment));
    }
    expect(single).toBeDefined(); // one acquisition per segment: one view each
    // the rich embryo's array: its 6k+3 frame is the mid-grey image, 6k+1 and 6k+5 are the others
    const richRow = labels.find((l) => l[0] === rich)!;
    const array = readNpy(await readFile(join(out, richRow[10])));
    expect(array.shape).toEqual([28, 2, 1, 32, 32]);
    const plane = 32 * 32;
    const mean = (k: number, v: number) =>
      array.data.subarray((k * 2 + v) * plane, (k * 2 + v + 1) * plane).reduce((a, b) => a + b, 0) / plane;
    expect(mean(0, 0)).toBeGreaterThan(0.4); // the 6k+3 frame is the mid-grey one
    expect(Math.abs(mean(0, 1) - mean(0, 0))).toBeGreaterThan(0.2); // the other view is another frame
    // the trainer loads the export and draws views from it
    const shape = runTrainingModule('data', ['--check', out]);
    expect(JSON.parse(shape)).toEqual({ embryos: 4, framesPerSegment: 2, batch: [4, 28, 1, 32, 32] });
  });
});
