import type { DataSource } from 'typeorm';
import { Membership, User, type Role } from '../entities';
import { AuditAction } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { UserError } from '../platform/errors';
import { RecordNotFound } from './errors';
import type { CheckedClinic } from './grant';

/** Roles of users in one clinic. A clinic never loses its last administrator. */
export class MembershipsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Grants or changes the user's role in the clinic. */
  async grant(clinic: CheckedClinic, userId: string, role: Role): Promise<Membership> {
    return this.dataSource.transaction(async (m) => {
      if (!(await m.existsBy(User, { id: userId }))) throw new RecordNotFound('user');
      const existing = await m.getRepository(Membership).createQueryBuilder('ms').setLock('pessimistic_write')
        .where('ms.user_id = :userId AND ms.clinic_id = :clinicId', { userId, clinicId: clinic.clinicId }).getOne();
      if (existing?.role === role) return existing;
      if (existing?.role === 'ADMIN') await this.refuseLastAdmin(m, clinic.clinicId);
      const saved = existing
        ? await m.save(Membership, { ...existing, role })
        : await m.save(Membership, m.create(Membership, { userId, clinicId: clinic.clinicId, role }));
      await writeAudit(m, clinic.actor, {
        action: AuditAction.MEMBERSHIP_GRANTED, entity: 'membership', entityId: userId, clinicId: clinic.clinicId,
        detail: { role, previousRole: existing?.role ?? null },
      });
      return saved;
    });
  }

  async revoke(clinic: CheckedClinic, userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const existing = await m.getRepository(Membership).createQueryBuilder('ms').setLock('pessimistic_write')
        .where('ms.user_id = :userId AND ms.clinic_id = :clinicId', { userId, clinicId: clinic.clinicId }).getOne();
      if (!existing) throw new RecordNotFound('membership');
      if (existing.role === 'ADMIN') await this.refuseLastAdmin(m, clinic.clinicId);
      await m.delete(Membership, { id: existing.id });
      await writeAudit(m, clinic.actor, {
        action: AuditAction.MEMBERSHIP_REVOKED, entity: 'membership', entityId: userId, clinicId: clinic.clinicId, detail: { role: existing.role },
      });
      return true;
    });
  }

  private async refuseLastAdmin(m: import('typeorm').EntityManager, clinicId: string): Promise<void> {
    // lock the clinic's admin rows so two concurrent revocations cannot both pass the check
    const admins = await m.getRepository(Membership).createQueryBuilder('ms').setLock('pessimistic_write')
      .where("ms.clinic_id = :clinicId AND ms.role = 'ADMIN'", { clinicId }).getMany();
    if (admins.length <= 1) throw new UserError('a clinic must keep at least one administrator');
  }
}
