import type { DataSource } from 'typeorm';
import { Embryo, type Outcome } from '../entities';
import { AuditAction } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { RecordNotFound } from './errors';
import type { CheckedClinic } from './grant';

/** Embryo outcomes recorded by the lab; the ground truth that models are evaluated against. */
export class OutcomesService {
  constructor(private readonly dataSource: DataSource) {}

  async recordOutcome(clinic: CheckedClinic, embryoId: string, outcome: Outcome): Promise<Embryo> {
    return this.dataSource.transaction(async (m) => {
      const embryo = await m.getRepository(Embryo).createQueryBuilder('e').setLock('pessimistic_write')
        .where('e.id = :embryoId AND e.clinic_id = :clinicId', { embryoId, clinicId: clinic.clinicId }).getOne();
      if (!embryo) throw new RecordNotFound('embryo');
      const previous = embryo.outcome;
      embryo.outcome = outcome;
      embryo.outcomeRecordedBy = clinic.actor.userId;
      embryo.outcomeRecordedAt = new Date();
      embryo.outcomeSource = 'user';
      const saved = await m.save(Embryo, embryo);
      await writeAudit(m, clinic.actor, {
        action: AuditAction.OUTCOME_RECORDED, entity: 'embryo', entityId: embryo.id, clinicId: clinic.clinicId, detail: { from: previous, to: outcome },
      });
      return saved;
    });
  }
}
