import { resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { UNASSIGNED_CYCLE_EXTERNAL_ID } from '../../entities';
import { AuditAction, type AuditActor } from '../../platform/audit/audit-actions';
import { writeAudit, type AuditRecord } from '../../platform/audit/audit-log';
import { ImportRunRecorder } from '../import-run.recorder';
import { ImportAbortedError, type ImportOptions, type ImportRunReport } from '../import-types';
import { CycleSheetRepository } from '../repositories/cycle-sheet.repository';
import { EmbryoRepository } from '../repositories/embryo.repository';
import { FrameRepository } from '../repositories/frame.repository';
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
  private readonly sheets = new CycleSheetRepository();
  private readonly embryos = new EmbryoRepository();
  private readonly frames = new FrameRepository();

  constructor(private readonly dataSource: DataSource) {}

  async import(path: string, options: ImportOptions): Promise<ImportRunReport> {
    const rows = await readCycleSheet(resolve(path));
    const recorder = await ImportRunRecorder.start(this.dataSource, 'CYCLES', resolve(path), options);
    let aborted = false;
    for (const [index, parsed] of rows.entries()) {
      if (options.signal?.aborted) {
        aborted = true;
        await recorder.add('(import)', 'failed', 'aborted before the end; rows committed so far are kept, rerun to resume');
        break;
      }
      const item = `row ${parsed.line}` + (parsed.row ? ` (cycle ${parsed.row.cycleExternalId})` : parsed.cycle ? ` (cycle ${parsed.cycle})` : '');
      options.onProgress?.({ kind: 'CYCLES', unitsDone: index, unitsTotal: rows.length, frames: 0, current: item });
      if (!parsed.row) {
        await recorder.add(item, 'failed', parsed.error);
        continue;
      }
      try {
        const changes = await this.dataSource.transaction((m) => this.applyRow(m, options.clinicId, options.actor, parsed.row!));
        await recorder.add(item, changes.length ? 'stored' : 'alreadyStored', changes.length ? changes.join('; ') : null);
      } catch (error) {
        if (error instanceof ImportAbortedError) throw error;
        await recorder.add(item, 'failed', error instanceof RowConflict ? error.message : `not stored: ${(error as Error).message}`);
      }
    }
    options.onProgress?.({ kind: 'CYCLES', unitsDone: rows.length, unitsTotal: rows.length, frames: 0, current: '' });
    return recorder.finish(aborted);
  }

  /** Applies one row; returns what changed (empty when the database already said the same). */
  private async applyRow(m: EntityManager, clinicId: string, actor: AuditActor, row: CycleSheetRow): Promise<string[]> {
    const changes: string[] = [];
    const audit: AuditRecord[] = [];
    await this.sheets.lockCycle(m, clinicId, row.cycleExternalId);

    let patient = await this.sheets.findPatient(m, clinicId, row.mrn);
    if (!patient) {
      const made = await this.sheets.createPatient(m, clinicId, row.mrn, row.patientName);
      patient = made.patient;
      if (made.created) {
        changes.push(`patient ${row.mrn} created`);
        audit.push({ action: AuditAction.PATIENT_CREATED, entity: 'patient', entityId: patient.id, clinicId });
      }
    } else if (row.patientName && row.patientName !== patient.displayName) {
      await this.sheets.renamePatient(m, patient.id, row.patientName);
      changes.push(`patient ${row.mrn} renamed`);
    }

    let cycle = await this.embryos.findCycle(m, clinicId, row.cycleExternalId);
    if (!cycle) {
      const id = await this.sheets.createCycle(m, { clinicId, patientId: patient.id, externalId: row.cycleExternalId, inseminationAt: row.inseminationAt, method: row.method });
      cycle = { id, externalId: row.cycleExternalId, patientId: patient.id, inseminationAt: row.inseminationAt, method: row.method };
      changes.push(`cycle ${row.cycleExternalId} created`);
      audit.push({ action: AuditAction.CYCLE_CREATED, entity: 'cycle', entityId: id, clinicId, detail: { externalId: row.cycleExternalId } });
    } else {
      if (cycle.patientId && cycle.patientId !== patient.id) {
        const owner = await this.sheets.findPatientById(m, cycle.patientId);
        throw new RowConflict(`cycle ${row.cycleExternalId} belongs to patient ${owner?.mrn ?? cycle.patientId}, not ${row.mrn}`);
      }
      if (cycle.inseminationAt && cycle.inseminationAt.getTime() !== row.inseminationAt.getTime()) {
        throw new RowConflict(`cycle ${row.cycleExternalId} already has insemination time ${cycle.inseminationAt.toISOString()}; the sheet says ${row.inseminationAt.toISOString()}`);
      }
      const methodChanged = row.method !== null && row.method !== cycle.method;
      if (!cycle.patientId || !cycle.inseminationAt || methodChanged) {
        await this.sheets.updateCycle(m, cycle.id, { patientId: patient.id, inseminationAt: row.inseminationAt, method: row.method });
        if (!cycle.inseminationAt) await this.sheets.fillAcquiredAtForCycle(m, cycle.id, row.inseminationAt);
        changes.push(`cycle ${row.cycleExternalId} updated`);
        audit.push({ action: AuditAction.CYCLE_UPDATED, entity: 'cycle', entityId: cycle.id, clinicId, detail: { source: 'cycle sheet' } });
      }
    }

    if (row.embryo) changes.push(...(await this.applyEmbryo(m, clinicId, cycle.id, row, audit)));
    await writeAudit(m, actor, audit);
    return changes;
  }

  private async applyEmbryo(m: EntityManager, clinicId: string, cycleId: string, row: CycleSheetRow, audit: AuditRecord[]): Promise<string[]> {
    const { externalId, label } = row.embryo!;
    await this.embryos.lockExternalId(m, clinicId, externalId);
    const embryo = await this.embryos.findEmbryo(m, clinicId, externalId);
    if (!embryo) {
      const id = await this.embryos.createEmbryo(m, { clinicId, cycleId, label, externalId });
      audit.push({ action: AuditAction.CYCLE_UPDATED, entity: 'embryo', entityId: id, clinicId, detail: { created: externalId, cycle: row.cycleExternalId } });
      return [`embryo ${externalId} created`];
    }
    if (embryo.cycleId === cycleId) {
      return (await this.embryos.relabelEmbryo(m, embryo.id, label)) ? [`embryo ${externalId} relabelled`] : [];
    }
    if (embryo.cycleExternalId !== UNASSIGNED_CYCLE_EXTERNAL_ID) {
      throw new RowConflict(`embryo ${externalId} already belongs to cycle ${embryo.cycleExternalId}`);
    }
    await this.embryos.moveEmbryo(m, embryo.id, cycleId, label);
    const timed = await this.frames.fillAcquiredAt(m, embryo.id, row.inseminationAt);
    audit.push({ action: AuditAction.CYCLE_UPDATED, entity: 'embryo', entityId: embryo.id, clinicId, detail: { claimed: externalId, cycle: row.cycleExternalId } });
    return [`embryo ${externalId} linked to cycle ${row.cycleExternalId}${timed ? ` (${timed} frames timed)` : ''}`];
  }
}
