import { frameKey, type NewFrame, type Repositories } from '../../entities/repositories';
import { throwIfAborted } from '../import-types';
import { mapWithConcurrency } from './concurrency';
import { UnreadableFrameError, type NormalisedFrame } from './frame-normaliser';

/** One frame a source offers; its pixels are read and normalised only when it is not stored yet. */
export interface FrameCandidate {
  /** Name in the import report (file path, `<slide> well 3 run 12 focal 15`, UID#frame). */
  item: string;
  /** Stored in frame.source. */
  source: string;
  hoursPostInsemination: number;
  focalPlaneUm: number;
  run: number | null;
  /** Known acquisition time (DICOM); otherwise derived from the cycle's insemination time when known. */
  acquiredAt: Date | null;
  load(): Promise<NormalisedFrame>;
}

export interface FrameProblem {
  item: string;
  status: 'skipped' | 'failed';
  reason: string;
}

export interface EmbryoFramesResult {
  stored: number;
  alreadyStored: number;
  bannerCropped: number;
  problems: FrameProblem[];
}

export interface WriteFramesOptions {
  inseminationAt: Date | null;
  signal?: AbortSignal;
  /** Called after each committed-to-transaction batch with the number of frames handled. */
  onFrames?: (count: number) => void;
}

/** Frames per multi-row INSERT: large enough to amortise round trips, small enough to bound memory. */
const BATCH_SIZE = 64;
/** Decodes in flight; sharp runs them on libuv's pool (4 threads by default). */
const DECODE_CONCURRENCY = 4;
const HOUR_MS = 3_600_000;

/**
 * Writes one embryo's frames inside the caller's transaction: skips frames already stored,
 * decodes the rest in parallel, and inserts in batches while the next batch decodes. A frame that
 * cannot be read becomes a problem for the report; it never stops the other frames.
 */
export class EmbryoFramesWriter {
  /** Writes through `tx`, the repositories of the embryo's transaction. */
  async write(
    tx: Pick<Repositories, 'embryos'>,
    embryoId: string,
    candidates: FrameCandidate[],
    options: WriteFramesOptions,
  ): Promise<EmbryoFramesResult> {
    const result: EmbryoFramesResult = { stored: 0, alreadyStored: 0, bannerCropped: 0, problems: [] };
    const existing = await tx.embryos.frameKeys(embryoId);
    const seen = new Map<string, string>();
    const todo: FrameCandidate[] = [];
    for (const c of candidates) {
      const key = frameKey(c.hoursPostInsemination, c.focalPlaneUm);
      if (existing.has(key)) {
        result.alreadyStored += 1;
      } else if (seen.has(key)) {
        result.problems.push({
          item: c.item,
          status: 'skipped',
          reason: `same time (${c.hoursPostInsemination} hpi) and focal plane (${c.focalPlaneUm} µm) as ${seen.get(key)}`,
        });
      } else {
        seen.set(key, c.item);
        todo.push(c);
      }
    }
    if (result.alreadyStored > 0) options.onFrames?.(result.alreadyStored);

    let inserting: Promise<void> = Promise.resolve();
    for (let start = 0; start < todo.length; start += BATCH_SIZE) {
      throwIfAborted(options.signal);
      const batch = todo.slice(start, start + BATCH_SIZE);
      const rows = await this.decode(embryoId, batch, options.inseminationAt, result);
      await inserting; // the previous batch's INSERT ran while this batch decoded
      throwIfAborted(options.signal);
      inserting = tx.embryos.insertFrames(rows).then((inserted) => {
        result.stored += inserted;
        result.alreadyStored += rows.length - inserted; // a concurrent import stored them first
        options.onFrames?.(batch.length);
      });
      inserting.catch(() => undefined); // awaited below; avoid an unhandled rejection while decoding
    }
    await inserting;
    return result;
  }

  private async decode(
    embryoId: string,
    batch: FrameCandidate[],
    inseminationAt: Date | null,
    result: EmbryoFramesResult,
  ): Promise<NewFrame[]> {
    const decoded = await mapWithConcurrency(batch, DECODE_CONCURRENCY, async (c) => {
      try {
        return { candidate: c, image: await c.load() };
      } catch (error) {
        const reason =
          error instanceof UnreadableFrameError ? error.message : `cannot read: ${(error as Error).message}`;
        result.problems.push({ item: c.item, status: 'failed', reason });
        return null;
      }
    });
    const rows: NewFrame[] = [];
    for (const d of decoded) {
      if (!d) continue;
      if (d.image.bannerCropped) result.bannerCropped += 1;
      const c = d.candidate;
      rows.push({
        embryoId,
        acquiredAt:
          c.acquiredAt ??
          (inseminationAt ? new Date(inseminationAt.getTime() + c.hoursPostInsemination * HOUR_MS) : null),
        hoursPostInsemination: c.hoursPostInsemination,
        focalPlaneUm: c.focalPlaneUm,
        run: c.run,
        source: c.source,
        image: d.image,
      });
    }
    return rows;
  }
}
