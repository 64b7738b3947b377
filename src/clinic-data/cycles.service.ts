import type { DataSource, EntityManager } from 'typeorm';
import { Cycle, UNASSIGNED_CYCLE_EXTERNAL_ID, type CycleMethod, type CycleStatus } from '../entities';
import { AuditAction } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { UserError } from '../platform/errors';
import { isUniqueViolation } from './errors';
import type { CheckedClinic } from './grant';

export interface CycleChanges {
  externalId?: string;
  patientId?: string;
  inseminationAt?: Date | null;
  method?: CycleMethod | null;
}

const duplicate = (externalId: string) => new UserError(`a cycle "${externalId}" already exists in this clinic`);

/**
 * Treatment cycles. Callers pass rows they read through the access layer; the database's
 * composite keys still refuse a patient of another clinic. Every change is audited with what
 * changed, in the same transaction.
 */
export class CyclesService {
  constructor(private readonly dataSource: DataSource) {}

  async createCycle(clinic: CheckedClinic, input: { patientId: string; externalId: string; inseminationAt?: Date | null; method?: CycleMethod | null }): Promise<Cycle> {
    const externalId = input.externalId.trim();
    this.refuseReserved(externalId);
    return this.uniqueExternalId(externalId, () =>
      this.dataSource.transaction(async (m) => {
        if (await m.existsBy(Cycle, { clinicId: clinic.clinicId, externalId })) throw duplicate(externalId);
        const cycle = await m.save(Cycle, m.create(Cycle, {
          clinicId: clinic.clinicId, patientId: input.patientId, externalId,
          inseminationAt: input.inseminationAt ?? null, method: input.method ?? null, status: 'ACTIVE',
        }));
        await writeAudit(m, clinic.actor, { action: AuditAction.CYCLE_CREATED, entity: 'cycle', entityId: cycle.id, clinicId: clinic.clinicId });
        return cycle;
      }),
    );
  }

  async updateCycle(clinic: CheckedClinic, cycleId: string, changes: CycleChanges): Promise<Cycle> {
    if (changes.externalId !== undefined) {
      changes = { ...changes, externalId: changes.externalId.trim() };
      this.refuseReserved(changes.externalId!);
    }
    return this.uniqueExternalId(changes.externalId ?? '', () =>
      this.dataSource.transaction(async (m) => {
        const cycle = await this.lockCycle(m, clinic, cycleId);
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        for (const key of ['externalId', 'patientId', 'inseminationAt', 'method'] as const) {
          const next = changes[key];
          if (next === undefined || String(next) === String(cycle[key])) continue;
          before[key] = cycle[key];
          after[key] = next;
          (cycle as unknown as Record<string, unknown>)[key] = next;
        }
        if (Object.keys(after).length === 0) return cycle;
        const saved = await m.save(Cycle, cycle);
        await writeAudit(m, clinic.actor, {
          action: AuditAction.CYCLE_UPDATED, entity: 'cycle', entityId: cycle.id, clinicId: clinic.clinicId, detail: { before, after },
        });
        return saved;
      }),
    );
  }

  async setCycleStatus(clinic: CheckedClinic, cycleId: string, status: CycleStatus): Promise<Cycle> {
    return this.dataSource.transaction(async (m) => {
      const cycle = await this.lockCycle(m, clinic, cycleId);
      if (cycle.status === status) return cycle;
      const previous = cycle.status;
      cycle.status = status;
      const saved = await m.save(Cycle, cycle);
      await writeAudit(m, clinic.actor, {
        action: AuditAction.CYCLE_STATUS_CHANGED, entity: 'cycle', entityId: cycle.id, clinicId: clinic.clinicId, detail: { from: previous, to: status },
      });
      return saved;
    });
  }

  private async lockCycle(m: EntityManager, clinic: CheckedClinic, cycleId: string): Promise<Cycle> {
    const cycle = await m.getRepository(Cycle).createQueryBuilder('c').setLock('pessimistic_write')
      .where('c.id = :cycleId AND c.clinic_id = :clinicId', { cycleId, clinicId: clinic.clinicId }).getOne();
    if (!cycle) throw new UserError('cycle not found');
    if (cycle.externalId === UNASSIGNED_CYCLE_EXTERNAL_ID) {
      throw new UserError('the "unassigned" cycle holds embryos waiting for a cycle sheet and cannot be edited');
    }
    return cycle;
  }

  private refuseReserved(externalId: string): void {
    if (externalId.toLowerCase() === UNASSIGNED_CYCLE_EXTERNAL_ID) throw new UserError(`"${UNASSIGNED_CYCLE_EXTERNAL_ID}" is reserved`);
  }

  private async uniqueExternalId<T>(externalId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error, 'uq_cycle_clinic_external')) throw duplicate(externalId);
      throw error;
    }
  }
}
