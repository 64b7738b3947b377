import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, UNASSIGNED_CYCLE_EXTERNAL_ID, type Cycle, type CycleMethod, type CycleStatus } from '../entities';
import { DuplicateRecordError, type DataStore, type Repositories } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { isReservedCycleExternalId, isUnassignedCycle } from './clinical-rules';
import { RecordNotFound } from './errors';

export interface CycleChanges {
  externalId?: string;
  patientId?: string;
  inseminationAt?: Date | null;
  method?: CycleMethod | null;
}

const duplicate = (externalId: string) => new UserError(`a cycle "${externalId}" already exists in this clinic`);

/**
 * Treatment cycles of one clinic (MANAGE). A patient given by id must be one of the grant's clinic;
 * the database's composite keys refuse any other. Every change is audited with what changed, in
 * the same transaction.
 */
export class CyclesService {
  constructor(private readonly store: DataStore) {}

  async createCycle(
    grant: ClinicGrant,
    input: { patientId: string; externalId: string; inseminationAt?: Date | null; method?: CycleMethod | null },
  ): Promise<Cycle> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const externalId = input.externalId.trim();
    this.refuseReserved(externalId);
    return this.uniqueExternalId(externalId, () =>
      this.store.transaction(async (tx) => {
        await this.requirePatient(tx, grant, input.patientId);
        if (await tx.patientCycles.cycleByExternalId(grant.clinicId, externalId)) throw duplicate(externalId);
        const cycle = await tx.patientCycles.createCycle({
          clinicId: grant.clinicId,
          patientId: input.patientId,
          externalId,
          inseminationAt: input.inseminationAt ?? null,
          method: input.method ?? null,
        });
        await tx.audit.append(grant.actor, {
          action: AuditAction.CYCLE_CREATED,
          entity: 'cycle',
          entityId: cycle.id,
          clinicId: grant.clinicId,
        });
        return cycle;
      }),
    );
  }

  async updateCycle(grant: ClinicGrant, cycleId: string, changes: CycleChanges): Promise<Cycle> {
    ClinicGrant.check(grant, Permission.MANAGE);
    if (changes.externalId !== undefined) {
      changes = { ...changes, externalId: changes.externalId.trim() };
      this.refuseReserved(changes.externalId!);
    }
    return this.uniqueExternalId(changes.externalId ?? '', () =>
      this.store.transaction(async (tx) => {
        const cycle = await this.lockCycle(tx, grant, cycleId);
        if (changes.patientId !== undefined) await this.requirePatient(tx, grant, changes.patientId);
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
        const saved = await tx.patientCycles.saveCycle(cycle);
        await tx.audit.append(grant.actor, {
          action: AuditAction.CYCLE_UPDATED,
          entity: 'cycle',
          entityId: cycle.id,
          clinicId: grant.clinicId,
          detail: { before, after },
        });
        return saved;
      }),
    );
  }

  async setCycleStatus(grant: ClinicGrant, cycleId: string, status: CycleStatus): Promise<Cycle> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.store.transaction(async (tx) => {
      const cycle = await this.lockCycle(tx, grant, cycleId);
      if (cycle.status === status) return cycle;
      const previous = cycle.status;
      cycle.status = status;
      const saved = await tx.patientCycles.saveCycle(cycle);
      await tx.audit.append(grant.actor, {
        action: AuditAction.CYCLE_STATUS_CHANGED,
        entity: 'cycle',
        entityId: cycle.id,
        clinicId: grant.clinicId,
        detail: { from: previous, to: status },
      });
      return saved;
    });
  }

  private async lockCycle(tx: Repositories, grant: ClinicGrant, cycleId: string): Promise<Cycle> {
    const cycle = await tx.patientCycles.lockCycle(grant.clinicId, cycleId);
    if (!cycle) throw new UserError('cycle not found');
    if (isUnassignedCycle(cycle)) {
      throw new UserError('the "unassigned" cycle holds embryos waiting for a cycle sheet and cannot be edited');
    }
    return cycle;
  }

  /** A patient of another clinic is "not found", exactly like a missing one. */
  private async requirePatient(tx: Repositories, grant: ClinicGrant, patientId: string): Promise<void> {
    const patient = await tx.patientCycles.patientById(patientId);
    if (!patient || patient.clinicId !== grant.clinicId) throw new RecordNotFound('patient');
  }

  private refuseReserved(externalId: string): void {
    if (isReservedCycleExternalId(externalId)) throw new UserError(`"${UNASSIGNED_CYCLE_EXTERNAL_ID}" is reserved`);
  }

  private async uniqueExternalId<T>(externalId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DuplicateRecordError) throw duplicate(externalId);
      throw error;
    }
  }
}
