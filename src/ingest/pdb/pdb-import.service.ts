import { resolve } from 'node:path';
import type { DataStore } from '../../entities/repositories';
import { EmbryoImportService } from '../embryo-import.service';
import { recordEmbryo } from '../embryo-report';
import type { FrameCandidate } from '../frames/embryo-frames.writer';
import { normaliseEncodedFrame } from '../frames/frame-normaliser';
import { ImportRunRecorder } from '../import-run.recorder';
import { ImportAbortedError, type ImportOptions, type ImportRunReport } from '../import-types';
import { PdbSlideReader, SlideFileError } from './pdb-slide.reader';

/** Frames outside [0, 1000) hpi cannot be stored (frame CHECK) and mean a wrong fertilization time. */
const MAX_HPI = 1000;

/**
 * Imports EmbryoScope slide files: one embryo per well (externalId `<slide>-WELL<n>`), each well
 * one transaction. With `cycleExternalId` the embryos go into that cycle, else into `unassigned`.
 */
export class PdbImportService {
  private readonly embryos: EmbryoImportService;

  constructor(private readonly store: DataStore) {
    this.embryos = new EmbryoImportService(store);
  }

  async import(paths: string[], options: ImportOptions & { cycleExternalId?: string }): Promise<ImportRunReport> {
    const files = paths.map((p) => resolve(p));
    const recorder = await ImportRunRecorder.start(this.store, 'PDB', files.join(', '), options);
    let aborted = false;
    let frames = 0;
    try {
      for (const [index, path] of files.entries()) {
        if (options.signal?.aborted) throw new ImportAbortedError();
        let reader: PdbSlideReader;
        try {
          reader = new PdbSlideReader(path);
        } catch (error) {
          if (!(error instanceof SlideFileError)) throw error;
          await recorder.add(path, 'failed', error.message);
          continue;
        }
        try {
          const wells = reader.wells();
          for (const [w, well] of wells.entries()) {
            if (options.signal?.aborted) throw new ImportAbortedError();
            const externalId = `${reader.slide}-WELL${well}`;
            const report = (current: string) =>
              options.onProgress?.({
                kind: 'PDB',
                unitsDone: index + w / wells.length,
                unitsTotal: files.length,
                frames,
                current,
              });
            report(externalId);
            await this.importWell(reader, well, externalId, recorder, options, (n) => {
              frames += n;
              report(externalId);
            });
          }
        } finally {
          reader.close();
        }
      }
    } catch (error) {
      if (!(error instanceof ImportAbortedError)) {
        await recorder.finishAfterError(error);
        throw error;
      }
      aborted = true;
      await recorder.add(
        '(import)',
        'failed',
        'aborted before the end; wells committed so far are kept, rerun to resume',
      );
    }
    return recorder.finish(aborted);
  }

  private async importWell(
    reader: PdbSlideReader,
    well: number,
    externalId: string,
    recorder: ImportRunRecorder,
    options: ImportOptions & { cycleExternalId?: string },
    onFrames: (n: number) => void,
  ): Promise<void> {
    const item = `embryo ${externalId}`;
    const candidates: FrameCandidate[] = [];
    const problems: { item: string; status: 'skipped'; reason: string }[] = [];
    for (const row of reader.imagesOfWell(well)) {
      const name = `${reader.slide} well ${well} run ${row.run} focal ${row.focalPlaneUm}`;
      if (!(row.hoursPostInsemination >= 0 && row.hoursPostInsemination < MAX_HPI)) {
        problems.push({
          item: name,
          status: 'skipped',
          reason: `Time gives ${row.hoursPostInsemination.toFixed(2)} h after fertilization, outside 0–${MAX_HPI} h`,
        });
        continue;
      }
      candidates.push({
        item: name,
        source: `${reader.path}#IMAGES/${row.rowid}`,
        hoursPostInsemination: row.hoursPostInsemination,
        focalPlaneUm: row.focalPlaneUm,
        run: row.run,
        acquiredAt: null,
        load: async () => normaliseEncodedFrame(reader.imageBytes(row.rowid)),
      });
    }
    try {
      const result = await this.embryos.importEmbryo({
        clinicId: options.grant.clinicId,
        externalId,
        label: `WELL${well}`,
        cycleExternalId: options.cycleExternalId,
        candidates,
        signal: options.signal,
        onFrames,
        onStored: options.onFramesStored,
      });
      result.problems.unshift(...problems);
      await recordEmbryo(recorder, item, result, []);
    } catch (error) {
      if (error instanceof ImportAbortedError) throw error;
      await recorder.add(item, 'failed', `not stored: ${(error as Error).message}`);
    }
  }
}
