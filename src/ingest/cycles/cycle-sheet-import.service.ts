import { resolve } from 'node:path';
import { placementOf } from '../../clinic-data/clinical-rules';
import { AuditAction, type AuditActor } from '../../entities';
import type { AuditRecord, DataStore, Repositories } from '../../entities/repositories';
import { ImportRunRecorder } from '../import-run.recorder';
import { ImportAbortedError, type ImportOptions, type ImportRunReport } from '../import-types';
import { safeErrorText } from '../../platform/safe-error';
import { readCycleSheet, type CycleSheetRow } from './cycle-sheet.reader';

/** A row that contradicts what is stored; reported as failed, the row's transaction rolls back. */
class RowConflict extends Error {}

/**
 * Imports a cycle sheet: per row (one transaction each) creates or updates the patient and the
 * cycle, and creates the embryo or claims it from the clinic's `unassigned` cycle. Frames of a
 * claimed embryo get acquiredAt = inseminationAt + hpi. A stored insemination time is never
 * silently changed: hpi of DICOM frames were computed from it, so a different time is a conflict.
 */
export class CycleSheetImportService {
  constructor(private readonly store: DataStore) {}

  async import(path: string, options: ImportOptions): Promise<ImportRunReport> {
    const rows = await readCycleSheet(resolve(path));
    const recorder = await ImportRunRecorder.start(this.store, 'CYCLES', resolve(path), options);
    let aborted = false;
    for (const [index, parsed] of rows.entries()) {
      if (options.signal?.aborted) {
        aborted = true;
        await recorder.add(
          '(import)',
          'failed',
          'aborted before the end; rows committed so far are kept, rerun to resume',
        );
        break;
      }
      const item =
        `row ${parsed.line}` +
        (parsed.row ? ` (cycle ${parsed.row.cycleExternalId})` : parsed.cycle ? ` (cycle ${parsed.cycle})` : '');
      options.onProgress?.({ kind: 'CYCLES', unitsDone: index, unitsTotal: rows.length, frames: 0, current: item });
      if (!parsed.row) {
        await recorder.add(item, 'failed', parsed.error);
        continue;
      }
      try {
        const changes = await this.store.transaction((tx) =>
          this.applyRow(tx, options.grant.clinicId, options.grant.actor, parsed.row!),
        );
        await recorder.add(
          item,
          changes.length ? 'stored' : 'alreadyStored',
          changes.length ? changes.join('; ') : null,
        );
      } catch (error) {
        if (error instanceof ImportAbortedError) throw error;
        await recorder.add(
          item,
          'failed',
          error instanceof RowConflict ? error.message : `not stored: ${safeErrorText(error)}`,
        );
      }
    }
    options.onProgress?.({ kind: 'CYCLES', unitsDone: rows.length, unitsTotal: rows.length, frames: 0, current: '' });
    return recorder.finish(aborted);
  }

  /** Applies one row; returns what changed (empty when the database already said the same). */
  private async applyRow(tx: Repositories, clinicId: string, actor: AuditActor, row: CycleSheetRow): Promise<string[]> {
    const changes: string[] = [];
    const audit: AuditRecord[] = [];
    await tx.patientCycles.lockCycleExternalId(clinicId, row.cycleExternalId);

    let patient = await tx.patientCycles.patientByMrn(clinicId, row.mrn);
    if (!patient) {
      const made = await tx.patientCycles.ensurePatient({ clinicId, mrn: row.mrn, displayName: row.patientName });
      patient = made.patient;
      if (made.created) {
        changes.push(`patient ${row.mrn} created`);
        audit.push({ action: AuditAction.PATIENT_CREATED, entity: 'patient', entityId: patient.id, clinicId });
      }
    } else if (row.patientName && row.patientName !== patient.displayName) {
      await tx.patientCycles.renamePatient(patient.id, row.patientName);
      changes.push(`patient ${row.mrn} renamed`);
      audit.push({
        action: AuditAction.PATIENT_UPDATED,
        entity: 'patient',
        entityId: patient.id,
        clinicId,
        detail: { changed: ['displayName'], source: 'cycle sheet' },
      });
    }

    let cycle = await tx.patientCycles.cycleByExternalId(clinicId, row.cycleExternalId);
    if (!cycle) {
      cycle = await tx.patientCycles.createCycle({
        clinicId,
        patientId: patient.id,
        externalId: row.cycleExternalId,
        inseminationAt: row.inseminationAt,
        method: row.method,
      });
      changes.push(`cycle ${row.cycleExternalId} created`);
      audit.push({
        action: AuditAction.CYCLE_CREATED,
        entity: 'cycle',
        entityId: cycle.id,
        clinicId,
        detail: { externalId: row.cycleExternalId },
      });
    } else {
      if (cycle.patientId && cycle.patientId !== patient.id) {
        const owner = await tx.patientCycles.patientById(cycle.patientId);
        throw new RowConflict(
          `cycle ${row.cycleExternalId} belongs to patient ${owner?.mrn ?? cycle.patientId}, not ${row.mrn}`,
        );
      }
      if (cycle.inseminationAt && cycle.inseminationAt.getTime() !== row.inseminationAt.getTime()) {
        throw new RowConflict(
          `cycle ${row.cycleExternalId} already has insemination time ${cycle.inseminationAt.toISOString()}; the sheet says ${row.inseminationAt.toISOString()}`,
        );
      }
      const methodChanged = row.method !== null && row.method !== cycle.method;
      if (!cycle.patientId || !cycle.inseminationAt || methodChanged) {
        await tx.patientCycles.completeCycle(cycle.id, {
          patientId: patient.id,
          inseminationAt: row.inseminationAt,
          method: row.method,
        });
        if (!cycle.inseminationAt) await tx.embryos.fillAcquiredAt({ cycleId: cycle.id }, row.inseminationAt);
        changes.push(`cycle ${row.cycleExternalId} updated`);
        audit.push({
          action: AuditAction.CYCLE_UPDATED,
          entity: 'cycle',
          entityId: cycle.id,
          clinicId,
          detail: { source: 'cycle sheet' },
        });
      }
    }

    if (row.embryo) changes.push(...(await this.applyEmbryo(tx, clinicId, cycle.id, row, audit)));
    await tx.audit.append(actor, audit);
    return changes;
  }

  private async applyEmbryo(
    tx: Repositories,
    clinicId: string,
    cycleId: string,
    row: CycleSheetRow,
    audit: AuditRecord[],
  ): Promise<string[]> {
    const { externalId, label } = row.embryo!;
    await tx.embryos.lockExternalId(clinicId, externalId);
    const embryo = await tx.embryos.byExternalId(clinicId, externalId);
    if (!embryo) {
      const id = await tx.embryos.createEmbryo({ clinicId, cycleId, label, externalId });
      audit.push({
        action: AuditAction.CYCLE_UPDATED,
        entity: 'embryo',
        entityId: id,
        clinicId,
        detail: { created: externalId, cycle: row.cycleExternalId },
      });
      return [`embryo ${externalId} created`];
    }
    const placement = placementOf(embryo, row.cycleExternalId);
    if (placement === 'in-place') {
      return (await tx.embryos.relabelEmbryo(embryo.id, label)) ? [`embryo ${externalId} relabelled`] : [];
    }
    if (placement === 'conflict') {
      throw new RowConflict(`embryo ${externalId} already belongs to cycle ${embryo.cycleExternalId}`);
    }
    await tx.embryos.moveEmbryo(embryo.id, cycleId, label);
    const timed = await tx.embryos.fillAcquiredAt({ embryoId: embryo.id }, row.inseminationAt);
    audit.push({
      action: AuditAction.CYCLE_UPDATED,
      entity: 'embryo',
      entityId: embryo.id,
      clinicId,
      detail: { claimed: externalId, cycle: row.cycleExternalId },
    });
    return [`embryo ${externalId} linked to cycle ${row.cycleExternalId}${timed ? ` (${timed} frames timed)` : ''}`];
  }
}
