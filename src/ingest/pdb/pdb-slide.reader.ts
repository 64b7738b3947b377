import Database from 'better-sqlite3';
import { basename, extname } from 'node:path';

/** One image row of a slide file, without its blob (read on demand to keep memory flat). */
export interface SlideImageRow {
  rowid: number;
  run: number;
  focalPlaneUm: number;
  /** Hours after fertilization: (Time − Fertilization) × 24, both in days. */
  hoursPostInsemination: number;
}

export class SlideFileError extends Error {
  override name = 'SlideFileError';
}

/**
 * An EmbryoScope slide database (`.pdb`, SQLite), opened read-only: IMAGES(Well, Run, Focal, Time,
 * Image) with Image a JPEG blob, and GENERAL(Par, Val) holding `Fertilization` in days.
 */
export class PdbSlideReader {
  readonly slide: string;
  private readonly db: Database.Database;
  readonly fertilizationDays: number;

  constructor(readonly path: string) {
    this.slide = basename(path, extname(path));
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      this.db = db;
      const tables = new Set(
        (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) =>
          t.name.toUpperCase(),
        ),
      );
      for (const t of ['IMAGES', 'GENERAL'])
        if (!tables.has(t)) throw new SlideFileError(`no ${t} table: not an EmbryoScope slide file`);
      const row = this.db.prepare("SELECT Val FROM GENERAL WHERE Par = 'Fertilization'").get() as
        { Val: unknown } | undefined;
      const days = Number(row?.Val);
      if (!row || !Number.isFinite(days)) throw new SlideFileError('GENERAL has no numeric Fertilization time');
      this.fertilizationDays = days;
    } catch (error) {
      db?.close();
      if (error instanceof SlideFileError) throw error;
      throw new SlideFileError(`cannot open as SQLite: ${(error as Error).message}`);
    }
  }

  wells(): number[] {
    return (this.db.prepare('SELECT DISTINCT Well AS well FROM IMAGES ORDER BY Well').all() as { well: number }[]).map(
      (r) => r.well,
    );
  }

  /** Image rows of one well, without blobs. */
  imagesOfWell(well: number): SlideImageRow[] {
    const rows = this.db
      .prepare('SELECT rowid, Run AS run, Focal AS focal, Time AS time FROM IMAGES WHERE Well = ? ORDER BY Run, Focal')
      .all(well) as { rowid: number; run: number; focal: number; time: number }[];
    return rows.map((r) => ({
      rowid: r.rowid,
      run: Number(r.run),
      focalPlaneUm: Math.round(Number(r.focal)),
      // Day fractions carry float noise (1 h = 0.041666… d); incubators record whole seconds.
      hoursPostInsemination: Math.round((Number(r.time) - this.fertilizationDays) * 24 * 3600) / 3600,
    }));
  }

  imageBytes(rowid: number): Buffer {
    const row = this.db.prepare('SELECT Image AS image FROM IMAGES WHERE rowid = ?').get(rowid) as
      { image: unknown } | undefined;
    if (!row || !Buffer.isBuffer(row.image)) throw new Error('Image is not a blob');
    return row.image;
  }

  close(): void {
    this.db.close();
  }
}
