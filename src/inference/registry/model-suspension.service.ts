import { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { AuditAction } from '../../entities';
import type { DataStore } from '../../entities/repositories';
import { UserError } from '../../platform/errors';

/**
 * The kill switch of one clinic (issue #16): an ADMIN suspends the clinic's model when its numbers
 * cannot be trusted (a drift alarm, a recall, a wrong registration). While suspended, no score of
 * the clinic is served by any path and scoring writes nothing; an ADMIN resumes it. Both need a
 * reason, audited with the active model of the moment.
 */
export class ModelSuspensionService {
  constructor(private readonly store: DataStore) {}

  suspend(grant: ClinicGrant, reason: string): Promise<void> {
    return this.set(grant, true, reason);
  }

  resume(grant: ClinicGrant, reason: string): Promise<void> {
    return this.set(grant, false, reason);
  }

  private async set(grant: ClinicGrant, suspended: boolean, reason: string): Promise<void> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const why = (reason ?? '').trim();
    if (why.length < 1 || why.length > 2000) throw new UserError('give a reason (1–2000 characters)');
    await this.store.transaction(async (tx) => {
      if (!(await tx.clinics.lock(grant.clinicId))) throw new UserError('clinic not found');
      if ((await tx.governance.scoringSuspended(grant.clinicId)) === suspended)
        throw new UserError(suspended ? 'scoring is already suspended in this clinic' : 'scoring is not suspended');
      await tx.governance.setSuspension(grant.clinicId, suspended, why, grant.actor.userId);
      const active = await tx.models.activeClinicModel(grant.clinicId);
      await tx.audit.append(grant.actor, {
        action: suspended ? AuditAction.MODEL_SUSPENDED : AuditAction.MODEL_RESUMED,
        entity: 'clinic',
        entityId: grant.clinicId,
        clinicId: grant.clinicId,
        detail: { reason: why, activeModelVersionId: active?.modelVersionId ?? null },
      });
    });
  }
}
