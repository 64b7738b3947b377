import type { EntityManager } from 'typeorm';
import type { NormalisedFrame } from '../frames/frame-normaliser';

/** One frame row to insert, with its normalised image. */
export interface FrameRow {
  embryoId: string;
  acquiredAt: Date | null;
  hoursPostInsemination: number;
  focalPlaneUm: number;
  run: number | null;
  source: string;
  image: NormalisedFrame;
}

const FRAME_COLUMNS = 9;

/** SQL for frame and frame_image: multi-row INSERT … ON CONFLICT DO NOTHING, one statement per table per batch. */
export class FrameRepository {
  /** `hpi|plane` keys of the embryo's stored frames, so a rerun skips them without decoding. */
  async existingKeys(manager: EntityManager, embryoId: string): Promise<Set<string>> {
    const rows: { hpi: number; plane: number }[] = await manager.query(
      'SELECT hours_post_insemination AS hpi, focal_plane_um AS plane FROM frame WHERE embryo_id = $1',
      [embryoId],
    );
    return new Set(rows.map((r) => frameKey(r.hpi, r.plane)));
  }

  /** Inserts images then frames; returns how many frame rows were new. Buffers travel as binary parameters. */
  async insertBatch(manager: EntityManager, rows: FrameRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const images = new Map<string, NormalisedFrame>();
    for (const r of rows) images.set(r.image.sha256, r.image);
    const imageParams: unknown[] = [];
    const imageValues = [...images.values()].map((img, i) => {
      imageParams.push(img.sha256, img.bytes, img.mime);
      return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`;
    });
    await manager.query(
      `INSERT INTO frame_image (sha256, bytes, mime) VALUES ${imageValues.join(', ')} ON CONFLICT (sha256) DO NOTHING`,
      imageParams,
    );
    const frameParams: unknown[] = [];
    const frameValues = rows.map((r, i) => {
      frameParams.push(
        r.embryoId, r.acquiredAt, r.hoursPostInsemination, r.focalPlaneUm, r.run,
        r.image.width, r.image.height, r.image.sha256, r.source,
      );
      const o = i * FRAME_COLUMNS;
      return `(${Array.from({ length: FRAME_COLUMNS }, (_, k) => `$${o + k + 1}`).join(', ')})`;
    });
    const inserted: unknown[] = await manager.query(
      `INSERT INTO frame (embryo_id, acquired_at, hours_post_insemination, focal_plane_um, run, width, height, sha256, source)
       VALUES ${frameValues.join(', ')}
       ON CONFLICT (embryo_id, hours_post_insemination, focal_plane_um) DO NOTHING RETURNING 1`,
      frameParams,
    );
    return inserted.length;
  }

  /** Frames that were imported with hpi only get their wall-clock time once the cycle's insemination is known. */
  async fillAcquiredAt(manager: EntityManager, embryoId: string, inseminationAt: Date): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, affected]: [unknown[], number] = await manager.query(
      `UPDATE frame SET acquired_at = $2::timestamptz + hours_post_insemination * interval '1 hour'
       WHERE embryo_id = $1 AND acquired_at IS NULL`,
      [embryoId, inseminationAt],
    );
    return affected;
  }
}

export function frameKey(hoursPostInsemination: number, focalPlaneUm: number): string {
  return `${hoursPostInsemination}|${focalPlaneUm}`;
}
