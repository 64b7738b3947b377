import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readCycleSheet } from '../../src/ingest/cycles/cycle-sheet.reader';
import { readEmbryoFolder, scanFolderExport } from '../../src/ingest/folder/folder-export.reader';
import {
  drawStory,
  EXPORT_FOCAL_PLANES_UM,
  encodePlane,
  frameTimes,
  PHASES,
  phaseRows,
  planDemoLab,
  rasterise,
  sceneAt,
  SeededRandom,
  writeDemoExport,
  type DemoLabOptions,
} from '../../src/demo/synthetic';

const OPTIONS: DemoLabOptions = {
  seed: 42,
  frameMinutes: 720,
  imageSize: 64,
  patients: 3,
  embryosPerCycle: { min: 2, max: 3 },
  referenceTime: new Date('2026-05-01T08:00:00Z'),
};

/** Sharpness: variance of the discrete Laplacian of the decoded grey image. */
async function sharpness(jpeg: Buffer): Promise<number> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const values: number[] = [];
  for (let y = 1; y < info.height - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      values.push(4 * data[i] - data[i - 1] - data[i + 1] - data[i - w] - data[i + w]);
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

const meanInCircle = (pixels: Uint8Array, size: number, radius: number) => {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      if ((x + 0.5 - size / 2) ** 2 + (y + 0.5 - size / 2) ** 2 <= (radius * size) ** 2) {
        sum += pixels[y * size + x];
        n++;
      }
    }
  return sum / n;
};

describe('synthetic development stories', () => {
  it('orders events in developmental time and ends them by fate', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 30; i++) {
      for (const fate of ['blastocyst', 'arrest', 'fragmentation'] as const) {
        const story = drawStory(random.fork(`${fate}-${i}`), fate);
        const hours = story.events.map((e) => e.hpi);
        expect(hours).toEqual([...hours].sort((a, b) => a - b));
        expect(story.events.map((e) => PHASES.indexOf(e.phase))).toEqual(story.events.map((_, k) => k)); // no phase skipped
        const reached = story.events.map((e) => e.phase as string);
        if (fate === 'blastocyst') {
          expect(reached).toContain('tB');
          expect(story.arrestHpi).toBeNull();
          const t2 = story.events.find((e) => e.phase === 't2')!.hpi;
          expect(t2).toBeGreaterThan(18); // human first cleavage ≈ 26 h
          expect(t2).toBeLessThan(36);
        } else {
          expect(reached).not.toContain('tB');
          expect(story.arrestHpi).toBeGreaterThan(hours[hours.length - 1]);
        }
      }
    }
  });

  it('annotates each recorded phase once, in order, with non-overlapping run ranges', () => {
    const story = drawStory(new SeededRandom(9), 'blastocyst');
    const times = frameTimes(150, 60);
    const rows = phaseRows(story, times);
    expect(rows[0].firstRun).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].firstRun).toBe(rows[i - 1].lastRun + 1);
      expect(PHASES.indexOf(rows[i].phase as never)).toBeGreaterThan(PHASES.indexOf(rows[i - 1].phase as never));
    }
    expect(rows[rows.length - 1].lastRun).toBe(times.length);
    for (const row of rows) {
      const onset = story.events.find((e) => e.phase === row.phase)!.hpi;
      expect(times[row.firstRun - 1]).toBeGreaterThanOrEqual(onset);
    }
  });

  it('draws a fluid-filled cavity that brightens the centre only once a blastocyst forms', () => {
    const story = drawStory(new SeededRandom(5), 'blastocyst');
    const tB = story.events.find((e) => e.phase === 'tB')!.hpi;
    const fourCell = story.events.find((e) => e.phase === 't4')!.hpi + 0.5;
    const centre = (hpi: number) => meanInCircle(rasterise(sceneAt(story, hpi), 128, 1), 128, 0.12);
    expect(centre(tB + 8) - centre(fourCell)).toBeGreaterThan(20);
    const arrested = drawStory(new SeededRandom(5), 'arrest');
    expect(centre(tB + 8) - meanInCircle(rasterise(sceneAt(arrested, tB + 8), 128, 1), 128, 0.12)).toBeGreaterThan(20);
  });
});

describe('focal planes', () => {
  it('blurs more the farther a plane is from focus, symmetrically', async () => {
    const story = drawStory(new SeededRandom(1), 'blastocyst');
    const pixels = rasterise(sceneAt(story, 40), 200, 7);
    const s = new Map<number, number>();
    for (const plane of EXPORT_FOCAL_PLANES_UM) s.set(plane, await sharpness(await encodePlane(pixels, 200, plane)));
    expect(s.get(0)!).toBeGreaterThan(s.get(15)!);
    expect(s.get(15)!).toBeGreaterThan(s.get(30)!);
    expect(s.get(30)!).toBeGreaterThan(s.get(45)!);
    expect(s.get(-15)!).toBeGreaterThan(s.get(-45)!);
    expect(s.get(-30)! / s.get(30)!).toBeGreaterThan(0.7);
    expect(s.get(-30)! / s.get(30)!).toBeLessThan(1.4);
  });

  it('writes 8-bit single-channel JPEGs of the requested size', async () => {
    const meta = await sharp(await encodePlane(new Uint8Array(96 * 96).fill(128), 96, -45)).metadata();
    expect([meta.format, meta.channels, meta.width, meta.height, meta.depth]).toEqual(['jpeg', 1, 96, 96, 'uchar']);
  });
});

describe('demo lab plan and folder export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'amsnet-synthetic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('plans cycles at different culture days, about half blastocysts, outcomes for the finished ones only', () => {
    const plan = planDemoLab({ ...OPTIONS, patients: 4, embryosPerCycle: { min: 8, max: 12 } });
    expect(plan.cycles.map((c) => c.cultureHours)).toEqual([170, 118, 74, 170]);
    expect(plan.cycles.map((c) => c.completed)).toEqual([true, false, false, true]);
    // a finished culture has a frame in every segment up to day 7 (segment 27 ends at 168 h)
    expect(Math.max(...frameTimes(plan.cycles[0].cultureHours, 360))).toBeGreaterThanOrEqual(168);
    for (const c of plan.cycles) {
      expect(c.embryos.length).toBeGreaterThanOrEqual(8);
      expect(c.embryos.length).toBeLessThanOrEqual(12);
      const blast = c.embryos.filter((e) => e.story.fate === 'blastocyst').length;
      expect(Math.abs(blast - c.embryos.length / 2)).toBeLessThanOrEqual(1.5);
      expect(c.embryos.every((e) => (e.outcome !== undefined) === c.completed)).toBe(true);
    }
    expect(new Set(plan.cycles.flatMap((c) => c.embryos.map((e) => e.externalId))).size).toBe(
      plan.cycles.reduce((n, c) => n + c.embryos.length, 0),
    );
  });

  it('writes exactly the layout the folder importer reads, with times, annotations and a cycle sheet', async () => {
    const plan = planDemoLab(OPTIONS);
    const written = await writeDemoExport(plan, join(dir, 'a'));
    const exp = await scanFolderExport(written.exportDir);
    expect(exp.planes.map((p) => p.focalPlaneUm).sort((a, b) => a - b)).toEqual([...EXPORT_FOCAL_PLANES_UM]);
    const all = plan.cycles.flatMap((c) => c.embryos.map((e) => ({ c, e })));
    expect(exp.embryos).toEqual(all.map((x) => x.e.externalId).sort());
    for (const { c, e } of all) {
      const folder = await readEmbryoFolder(exp, e.externalId);
      const times = frameTimes(c.cultureHours, OPTIONS.frameMinutes);
      expect(folder.problems).toEqual([]);
      expect(folder.files).toHaveLength(times.length * 7);
      expect(new Set(folder.files.map((f) => f.well))).toEqual(new Set([e.well]));
      expect([...folder.hoursByRun!.entries()]).toEqual(times.map((t, i) => [i + 1, t]));
      expect(folder.phases === null).toBe(!c.completed);
    }
    const sheet = await readCycleSheet(written.cycleSheetPath);
    expect(sheet.every((r) => r.error === null)).toBe(true);
    expect(sheet).toHaveLength(all.length);
    expect(written.frames).toBe(all.reduce((n, x) => n + frameTimes(x.c.cultureHours, OPTIONS.frameMinutes).length, 0));
  });

  it('is seeded: the same seed writes identical bytes, another seed different embryos', async () => {
    const digest = async (root: string) => {
      const hash = createHash('sha256');
      const walk = async (d: string): Promise<void> => {
        for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
          const p = join(d, entry.name);
          if (entry.isDirectory()) await walk(p);
          else hash.update(entry.name).update(await readFile(p));
        }
      };
      await walk(root);
      return hash.digest('hex');
    };
    const small = { ...OPTIONS, patients: 1 };
    await writeDemoExport(planDemoLab(small), join(dir, 'b'));
    await writeDemoExport(planDemoLab(small), join(dir, 'c'));
    await writeDemoExport(planDemoLab({ ...small, seed: 43 }), join(dir, 'd'));
    expect(await digest(join(dir, 'b'))).toBe(await digest(join(dir, 'c')));
    expect(await digest(join(dir, 'b'))).not.toBe(await digest(join(dir, 'd')));
  });
});
