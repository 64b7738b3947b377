import { readFile } from 'node:fs/promises';
import { placementOf } from '../../clinic-data/clinical-rules';
import type { ImportItemStatus } from '../../entities';
import type { DataStore, Repositories } from '../../entities/repositories';
import { EmbryoFramesWriter, type FrameCandidate } from '../frames/embryo-frames.writer';
import { ImportRunRecorder } from '../import-run.recorder';
import { ImportAbortedError, type ImportOptions, type ImportRunReport } from '../import-types';
import { walkFiles } from './dicom-files';
import { DicomFileProblem, readDicomInstance, type DicomInstance } from './dicom-instance.reader';
import { errorText } from './error-text';

const HOUR_MS = 3_600_000;

/** A file refused after parsing (no cycle yet, wrong patient, …): nothing of it is written. */
class InstanceRefused extends Error {
  constructor(
    readonly status: 'skipped' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

interface FileOutcome {
  status: ImportItemStatus;
  /** The embryo the instance's frames went to (when stored). */
  embryoId?: string;
  reason: string | null;
  stored: number;
  alreadyStored: number;
}

/**
 * Imports DICOM Part-10 files: PatientID → patient MRN, StudyInstanceUID → cycle (its external id),
 * SeriesInstanceUID → embryo. Each file (all its frames) is one transaction; instances are
 * deduplicated on SOPInstanceUID per clinic.
 *
 * hpi = acquisition time − cycle.inseminationAt. A study whose cycle is unknown or has no
 * insemination time yet is `skipped` ("cycle has no insemination time; import its cycle sheet
 * first") and nothing of it is written: hpi cannot be computed honestly, and storing frames without
 * hpi would break the frame key (embryo, hpi, plane). Importing the cycle sheet (cycle_id =
 * StudyInstanceUID) and re-running the DICOM import stores them.
 */
export class DicomImportService {
  private readonly writer = new EmbryoFramesWriter();

  constructor(private readonly store: DataStore) {}

  async import(paths: string[], options: ImportOptions & { focalPlaneTag?: string }): Promise<ImportRunReport> {
    const recorder = await ImportRunRecorder.start(
      this.store,
      'DICOM',
      options.sourceLabel ?? paths.join(', '),
      options,
    );
    let aborted = false;
    let done = 0;
    let frames = 0;
    try {
      for await (const path of walkFiles(paths)) {
        if (options.signal?.aborted) throw new ImportAbortedError();
        options.onProgress?.({ kind: 'DICOM', unitsDone: done, unitsTotal: 0, frames, current: path });
        const outcome = await this.importFile(path, recorder.importRunId, options);
        recorder.addFrames(outcome.stored, outcome.alreadyStored);
        frames += outcome.stored + outcome.alreadyStored;
        await recorder.add(path, outcome.status, outcome.reason);
        done += 1;
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
        'aborted before the end; files committed so far are kept, rerun to resume',
      );
    }
    options.onProgress?.({ kind: 'DICOM', unitsDone: done, unitsTotal: done, frames, current: '' });
    return recorder.finish(aborted);
  }

  private async importFile(
    path: string,
    importRunId: string,
    options: ImportOptions & { focalPlaneTag?: string },
  ): Promise<FileOutcome> {
    const none = { stored: 0, alreadyStored: 0 };
    let instance: DicomInstance;
    try {
      // One file at a time: Part-10 files are parsed whole (dicom-parser works on one buffer).
      instance = readDicomInstance(await readFile(path), { focalPlaneTag: options.focalPlaneTag });
    } catch (error) {
      if (error instanceof DicomFileProblem) return { status: error.status, reason: error.message, ...none };
      return {
        status: 'failed',
        reason: `cannot read file: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`,
        ...none,
      };
    }
    try {
      const outcome = await this.store.transaction((tx) => this.storeInstance(tx, instance, importRunId, options));
      if (outcome.stored > 0 && outcome.embryoId) options.onFramesStored?.(outcome.embryoId, outcome.stored);
      return outcome;
    } catch (error) {
      if (error instanceof ImportAbortedError) throw error;
      if (error instanceof InstanceRefused) return { status: error.status, reason: error.message, ...none };
      return { status: 'failed', reason: `not stored: ${errorText(error)}`, ...none };
    }
  }

  private async storeInstance(
    tx: Repositories,
    instance: DicomInstance,
    importRunId: string,
    options: ImportOptions,
  ): Promise<FileOutcome> {
    const { clinicId } = options.grant;
    await tx.dicomInstances.lock(clinicId, instance.sopInstanceUid);
    if (await tx.dicomInstances.isIngested(clinicId, instance.sopInstanceUid)) {
      return {
        status: 'alreadyStored',
        reason: `instance ${instance.sopInstanceUid} already imported`,
        stored: 0,
        alreadyStored: instance.frames.length,
      };
    }
    const cycle = await tx.patientCycles.cycleByExternalId(clinicId, instance.studyInstanceUid);
    if (!cycle?.inseminationAt) {
      throw new InstanceRefused(
        'skipped',
        `cycle ${instance.studyInstanceUid} has no insemination time; import its cycle sheet first`,
      );
    }
    const mrn = await tx.patientCycles.patientMrnOfCycle(cycle.id);
    if (mrn !== null && mrn !== instance.patientId) {
      throw new InstanceRefused(
        'failed',
        `study ${instance.studyInstanceUid} is the cycle of patient ${mrn}, but the file says PatientID ${instance.patientId}`,
      );
    }
    await tx.embryos.lockExternalId(clinicId, instance.seriesInstanceUid);
    const embryo = await tx.embryos.byExternalId(clinicId, instance.seriesInstanceUid);
    const placement = embryo ? placementOf(embryo, cycle.externalId) : 'new';
    let embryoId: string;
    if (!embryo) {
      embryoId = await tx.embryos.createEmbryo({
        clinicId,
        cycleId: cycle.id,
        label: instance.embryoLabel,
        externalId: instance.seriesInstanceUid,
      });
    } else if (placement === 'in-place') {
      embryoId = embryo.id;
    } else if (placement === 'claim') {
      await tx.embryos.moveEmbryo(embryo.id, cycle.id, null);
      embryoId = embryo.id;
    } else {
      throw new InstanceRefused(
        'failed',
        `series ${instance.seriesInstanceUid} is embryo of cycle ${embryo.cycleExternalId}, not of study ${instance.studyInstanceUid}`,
      );
    }

    const inseminationMs = cycle.inseminationAt.getTime();
    const candidates: FrameCandidate[] = [];
    const problems: string[] = [];
    for (const frame of instance.frames) {
      const name = `${instance.sopInstanceUid}#${frame.index + 1}`;
      if (!frame.acquiredAt) {
        problems.push(`frame ${frame.index + 1}: no FrameAcquisitionDateTime, AcquisitionDateTime or ContentDate/Time`);
        continue;
      }
      const hpi = (frame.acquiredAt.getTime() - inseminationMs) / HOUR_MS;
      if (!(hpi >= 0 && hpi < 1000)) {
        problems.push(
          `frame ${frame.index + 1}: acquired ${frame.acquiredAt.toISOString()}, ${hpi.toFixed(1)} h from insemination (outside 0–1000 h)`,
        );
        continue;
      }
      if (Math.abs(frame.focalPlaneUm) > 500) {
        problems.push(`frame ${frame.index + 1}: focal plane ${frame.focalPlaneUm} µm is outside ±500 µm`);
        continue;
      }
      candidates.push({
        item: name,
        source: name,
        hoursPostInsemination: hpi,
        focalPlaneUm: frame.focalPlaneUm,
        run: null,
        acquiredAt: frame.acquiredAt,
        load: () => frame.load(),
      });
    }
    const result = await this.writer.write(tx, embryoId, candidates, {
      inseminationAt: cycle.inseminationAt,
      signal: options.signal,
    });
    problems.push(...result.problems.map((p) => `${p.item}: ${p.reason}`));
    if (problems.length > 0) {
      // All or nothing per instance: a partly readable instance is refused and can be fixed and resent.
      throw new InstanceRefused('failed', problems.join('; '));
    }
    await tx.dicomInstances.record({
      clinicId,
      sopInstanceUid: instance.sopInstanceUid,
      embryoId,
      frameCount: instance.frames.length,
      importRunId,
    });
    const planes = [...new Set(instance.frames.map((f) => f.focalPlaneSource))].join(', ');
    const status: ImportItemStatus = result.stored > 0 || !embryo ? 'stored' : 'alreadyStored';
    return {
      status,
      embryoId,
      reason: `${result.stored} frame(s) stored, ${result.alreadyStored} already stored; focal plane from ${planes}`,
      stored: result.stored,
      alreadyStored: result.alreadyStored,
    };
  }
}
