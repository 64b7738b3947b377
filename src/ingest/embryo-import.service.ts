import { placementOf } from '../clinic-data/clinical-rules';
import type { ImportItemStatus, Outcome } from '../entities';
import type { DataStore, PhaseRow, Repositories } from '../entities/repositories';
import { EmbryoFramesWriter, type FrameCandidate, type FrameProblem } from './frames/embryo-frames.writer';

/** Everything a folder export or slide file says about one embryo. */
export interface EmbryoImport {
  clinicId: string;
  externalId: string;
  label: string;
  /** Cycle external id to put a new embryo in; undefined = the clinic's `unassigned` cycle. */
  cycleExternalId?: string;
  candidates: FrameCandidate[];
  /** Annotated phases and the outcome they imply; undefined when the source has no annotations. */
  annotations?: { phases: PhaseRow[]; outcome: Outcome };
  signal?: AbortSignal;
  onFrames?: (count: number) => void;
  /** Called once the embryo's transaction committed new frames. */
  onStored?: (embryoId: string, frames: number) => void;
}

export interface EmbryoImportResult {
  status: ImportItemStatus;
  reason: string | null;
  stored: number;
  alreadyStored: number;
  bannerCropped: number;
  problems: FrameProblem[];
}

/** A problem that refuses the whole embryo (reported as the embryo's item, nothing written). */
class EmbryoRefused extends Error {
  constructor(
    message: string,
    readonly problems: FrameProblem[] = [],
  ) {
    super(message);
  }
}

/**
 * Imports one embryo in ONE transaction: the embryo row (created on first import), all its new
 * frames, its phases and annotated outcome. An interruption rolls all of it back, so there is never
 * half an embryo, and a rerun picks up exactly where the last committed embryo ended.
 */
export class EmbryoImportService {
  private readonly writer = new EmbryoFramesWriter();

  constructor(private readonly store: DataStore) {}

  async importEmbryo(input: EmbryoImport): Promise<EmbryoImportResult> {
    try {
      let embryoId = '';
      const result = await this.store.transaction(async (tx) => {
        await tx.embryos.lockExternalId(input.clinicId, input.externalId);
        let embryo = await tx.embryos.byExternalId(input.clinicId, input.externalId);
        let created = false;
        if (embryo && input.cycleExternalId) {
          const placement = placementOf(embryo, input.cycleExternalId);
          if (placement === 'conflict') {
            throw new EmbryoRefused(
              `embryo ${input.externalId} belongs to cycle ${embryo.cycleExternalId}, not ${input.cycleExternalId}`,
            );
          }
          if (placement === 'claim') {
            const cycle = await this.targetCycle(tx, input);
            await tx.embryos.moveEmbryo(embryo.id, cycle.id, null);
            embryo = {
              ...embryo,
              cycleId: cycle.id,
              cycleExternalId: cycle.externalId,
              inseminationAt: cycle.inseminationAt,
            };
          }
        }
        if (!embryo) {
          if (input.candidates.length === 0) throw new EmbryoRefused('no frames to import');
          const cycle = await this.targetCycle(tx, input);
          const id = await tx.embryos.createEmbryo({
            clinicId: input.clinicId,
            cycleId: cycle.id,
            label: input.label,
            externalId: input.externalId,
          });
          embryo = {
            id,
            cycleId: cycle.id,
            cycleExternalId: cycle.externalId,
            inseminationAt: cycle.inseminationAt,
            outcome: 'UNKNOWN',
            outcomeSource: null,
          };
          created = true;
        }
        embryoId = embryo.id;
        const frames = await this.writer.write(tx, embryo.id, input.candidates, {
          inseminationAt: embryo.inseminationAt,
          signal: input.signal,
          onFrames: input.onFrames,
        });
        if (created && frames.stored === 0) throw new EmbryoRefused('no readable frames', frames.problems);
        let annotationsChanged = 0;
        if (input.annotations) {
          annotationsChanged += await tx.embryos.upsertPhases(embryo.id, input.annotations.phases);
          if (await tx.embryos.setOutcomeFromAnnotations(embryo.id, input.annotations.outcome)) annotationsChanged += 1;
        }
        const changed = created || frames.stored > 0 || annotationsChanged > 0;
        return { status: changed ? 'stored' : 'alreadyStored', reason: null, ...frames } satisfies EmbryoImportResult;
      });
      if (result.stored > 0) input.onStored?.(embryoId, result.stored);
      return result;
    } catch (error) {
      if (error instanceof EmbryoRefused) {
        return {
          status: 'failed',
          reason: error.message,
          stored: 0,
          alreadyStored: 0,
          bannerCropped: 0,
          problems: error.problems,
        };
      }
      throw error;
    }
  }

  private async targetCycle(tx: Repositories, input: EmbryoImport) {
    if (!input.cycleExternalId) return tx.patientCycles.ensureUnassignedCycle(input.clinicId);
    const cycle = await tx.patientCycles.cycleByExternalId(input.clinicId, input.cycleExternalId);
    if (!cycle)
      throw new EmbryoRefused(`no cycle ${input.cycleExternalId} in this clinic; import its cycle sheet first`);
    return cycle;
  }
}
