import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, type Membership, type Role } from '../entities';
import type { DataStore, Repositories } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { RecordNotFound } from './errors';

/** Roles of users in one clinic (MANAGE). A clinic never loses its last administrator. */
export class MembershipsService {
  constructor(private readonly store: DataStore) {}

  /** Grants or changes the user's role in the clinic. */
  async grant(grant: ClinicGrant, userId: string, role: Role): Promise<Membership> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.store.transaction(async (tx) => {
      if (!(await tx.accounts.userExists(userId))) throw new RecordNotFound('user');
      const existing = await tx.accounts.lockMembership(userId, grant.clinicId);
      if (existing?.role === role) return existing;
      if (existing?.role === 'ADMIN') await this.refuseLastAdmin(tx, grant.clinicId);
      const saved = await tx.accounts.saveMembership(existing, { userId, clinicId: grant.clinicId, role });
      await tx.audit.append(grant.actor, {
        action: AuditAction.MEMBERSHIP_GRANTED,
        entity: 'membership',
        entityId: userId,
        clinicId: grant.clinicId,
        detail: { role, previousRole: existing?.role ?? null },
      });
      return saved;
    });
  }

  async revoke(grant: ClinicGrant, userId: string): Promise<boolean> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.store.transaction(async (tx) => {
      const existing = await tx.accounts.lockMembership(userId, grant.clinicId);
      if (!existing) throw new RecordNotFound('membership');
      if (existing.role === 'ADMIN') await this.refuseLastAdmin(tx, grant.clinicId);
      await tx.accounts.deleteMembership(existing.id);
      await tx.audit.append(grant.actor, {
        action: AuditAction.MEMBERSHIP_REVOKED,
        entity: 'membership',
        entityId: userId,
        clinicId: grant.clinicId,
        detail: { role: existing.role },
      });
      return true;
    });
  }

  private async refuseLastAdmin(tx: Repositories, clinicId: string): Promise<void> {
    const admins = await tx.accounts.lockAdministrators(clinicId);
    if (admins.length <= 1) throw new UserError('a clinic must keep at least one administrator');
  }
}
