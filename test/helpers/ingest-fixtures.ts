import Database from 'better-sqlite3';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * Fixture generators for the ingest tests: grayscale JPEG frames, folder exports in the EmbryoScope
 * dataset layout and EmbryoScope slide files (.pdb, SQLite). DICOM Part-10 files come from
 * test/ingest/support/dicom-writer.ts. Everything is generated; nothing is downloaded.
 */

/** Deterministic pseudo-random bytes (xorshift), so fixtures are reproducible and frames differ. */
/** Sets every file under `dir` to have been written `seconds` ago: settled, for import sources. */
export async function age(dir: string, seconds = 120): Promise<void> {
  const when = new Date(Date.now() - seconds * 1000);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) await utimes(join(e.parentPath, e.name), when, when);
  }
}

export function noise(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = 64 + (x & 127);
  }
  return out;
}

/** An 8-bit single-channel JPEG of `width`×`height` textured pixels. */
export async function grayJpeg(seed: number, width = 48, height = width, quality = 85): Promise<Buffer> {
  return sharp(noise(seed, width * height), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .jpeg({ quality })
    .toBuffer();
}

export interface EmbryoSpec {
  name: string;
  well: number;
  runs: number[];
  /** Hours post insemination of each run; default run × 0.25. */
  hours?: (run: number) => number;
  /** Phase rows `phase,firstRun,lastRun`; undefined writes no annotation file. */
  phases?: [string, number, number][];
  /** Images that are absent although the run exists in other planes. */
  missing?: { run: number; plane: number }[];
  truncated?: { run: number; plane: number }[];
  /** Runs whose images carry a text banner above the square (height + banner). */
  bannerRuns?: number[];
  /** Copies the 0 µm images into `<embryo>/F0/`, as some real exports do. */
  duplicateF0?: boolean;
  /** Extra time rows for runs that have no image at all. */
  orphanTimeRuns?: number[];
  /** Image side in pixels (square); default 48. */
  size?: number;
}

export const PLANE_FOLDERS: Record<number, string> = {
  [-45]: 'embryo_dataset_F-45',
  [-30]: 'embryo_dataset_F-30',
  [-15]: 'embryo_dataset_F-15',
  0: 'embryo_dataset',
  15: 'embryo_dataset_F15',
  30: 'embryo_dataset_F30',
  45: 'embryo_dataset_F45',
};

export function frameFileName(well: number, run: number): string {
  return `D2016.01.07_S1234_I141_WELL${well}_RUN${run}.jpeg`;
}

/** Writes a folder export with the given planes and embryos; returns the number of images written. */
export async function writeFolderExport(root: string, planes: number[], embryos: EmbryoSpec[]): Promise<number> {
  let images = 0;
  for (const e of embryos) {
    const hours = e.hours ?? ((run: number) => run * 0.25);
    const size = e.size ?? 48;
    for (const plane of planes) {
      const dir = join(root, PLANE_FOLDERS[plane], e.name);
      await mkdir(dir, { recursive: true });
      for (const run of e.runs) {
        if (e.missing?.some((m) => m.run === run && m.plane === plane)) continue;
        const banner = e.bannerRuns?.includes(run) ? 6 : 0;
        let jpeg = await grayJpeg(run * 1000 + plane + 500 + e.well * 7, size, size + banner);
        if (e.truncated?.some((t) => t.run === run && t.plane === plane))
          jpeg = jpeg.subarray(0, Math.floor(jpeg.length / 2));
        await writeFile(join(dir, frameFileName(e.well, run)), jpeg);
        images++;
        if (plane === 0 && e.duplicateF0) {
          await mkdir(join(dir, 'F0'), { recursive: true });
          await writeFile(join(dir, 'F0', frameFileName(e.well, run)), jpeg);
        }
      }
    }
    await mkdir(join(root, 'embryo_dataset_time_elapsed'), { recursive: true });
    const timeRows = [...e.runs, ...(e.orphanTimeRuns ?? [])].map((run) => `${run},${hours(run)}`);
    await writeFile(
      join(root, 'embryo_dataset_time_elapsed', `${e.name}_timeElapsed.csv`),
      ['frame_index,time', ...timeRows].join('\n') + '\n',
    );
    if (e.phases) {
      await mkdir(join(root, 'embryo_dataset_annotations'), { recursive: true });
      await writeFile(
        join(root, 'embryo_dataset_annotations', `${e.name}_phases.csv`),
        e.phases.map((p) => p.join(',')).join('\n') + '\n',
      );
    }
  }
  return images;
}

export interface PdbSpec {
  /** Fertilization time in days (OLE automation date, as EmbryoScope stores it). */
  fertilizationDays: number;
  wells: { well: number; runs: number[]; planes: number[]; truncated?: { run: number; plane: number }[] }[];
  /** Hours after fertilization of a run; default run × 0.25. */
  hours?: (run: number) => number;
}

/** Writes an EmbryoScope slide database: IMAGES(Well, Run, Focal, Time, Image) and GENERAL(Par, Val). */
export async function writePdb(path: string, spec: PdbSpec): Promise<number> {
  const db = new Database(path);
  try {
    db.exec(
      'CREATE TABLE GENERAL (Par TEXT, Val TEXT, Unit TEXT); CREATE TABLE IMAGES (Well INTEGER, Run INTEGER, Focal INTEGER, Time REAL, Image BLOB)',
    );
    db.prepare('INSERT INTO GENERAL VALUES (?, ?, ?)').run('Fertilization', String(spec.fertilizationDays), 'days');
    db.prepare('INSERT INTO GENERAL VALUES (?, ?, ?)').run('SlideID', 'test', null);
    const insert = db.prepare('INSERT INTO IMAGES VALUES (?, ?, ?, ?, ?)');
    const hours = spec.hours ?? ((run: number) => run * 0.25);
    let images = 0;
    for (const w of spec.wells) {
      for (const run of w.runs) {
        for (const plane of w.planes) {
          let jpeg = await grayJpeg(w.well * 100000 + run * 100 + plane + 50);
          if (w.truncated?.some((t) => t.run === run && t.plane === plane))
            jpeg = jpeg.subarray(0, Math.floor(jpeg.length / 2));
          insert.run(w.well, run, plane, spec.fertilizationDays + hours(run) / 24, jpeg);
          images++;
        }
      }
    }
    return images;
  } finally {
    db.close();
  }
}
