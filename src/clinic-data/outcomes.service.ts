import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, type Embryo, type Outcome } from '../entities';
import type { DataStore } from '../entities/repositories';
import { RecordNotFound } from './errors';

/** Embryo outcomes recorded by the lab (LAB_WORK); the ground truth that models are evaluated against. */
export class OutcomesService {
  constructor(private readonly store: DataStore) {}

  async recordOutcome(grant: ClinicGrant, embryoId: string, outcome: Outcome): Promise<Embryo> {
    ClinicGrant.check(grant, Permission.LAB_WORK);
    return this.store.transaction(async (tx) => {
      const embryo = await tx.embryos.lockEmbryo(grant.clinicId, embryoId);
      if (!embryo) throw new RecordNotFound('embryo');
      const previous = embryo.outcome;
      embryo.outcome = outcome;
      embryo.outcomeRecordedBy = grant.actor.userId;
      embryo.outcomeRecordedAt = new Date();
      embryo.outcomeSource = 'user';
      const saved = await tx.embryos.saveEmbryo(embryo);
      await tx.audit.append(grant.actor, {
        action: AuditAction.OUTCOME_RECORDED,
        entity: 'embryo',
        entityId: embryo.id,
        clinicId: grant.clinicId,
        detail: { from: previous, to: outcome },
      });
      return saved;
    });
  }
}
