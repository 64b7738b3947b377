import type { DataSource } from 'typeorm';
import { Clinic, Membership, ROLES, User, type Role } from '../entities';
import { AuditAction, type AuditActor } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { UserError } from '../platform/errors';
import { hashPassword } from './password';

export interface NewUser {
  email: string;
  password: string | null;
  displayName?: string | null;
  networkAdmin?: boolean;
  /** Clinic id and role of the first membership, if any. */
  membership?: { clinicId: string; role: Role };
}

/** Clinics, users and memberships: the operations an administrator (or the CLI operator) performs. */
export class AccountsService {
  constructor(private readonly dataSource: DataSource) {}

  async createClinic(input: { code: string; name: string }, actor: AuditActor): Promise<Clinic> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(input.code)) {
      throw new UserError(`clinic code "${input.code}" must be letters, digits, _ or - (at most 64)`);
    }
    return this.dataSource.transaction(async (m) => {
      if (await m.existsBy(Clinic, { code: input.code })) throw new UserError(`clinic "${input.code}" already exists`);
      const clinic = await m.save(Clinic, m.create(Clinic, { code: input.code, name: input.name.trim() || input.code }));
      await writeAudit(m, actor, { action: AuditAction.CLINIC_CREATED, entity: 'clinic', entityId: clinic.id, clinicId: clinic.id });
      return clinic;
    });
  }

  async clinicByCode(code: string): Promise<Clinic> {
    const clinic = await this.dataSource.getRepository(Clinic).findOneBy({ code });
    if (!clinic) throw new UserError(`no clinic with code "${code}"`);
    return clinic;
  }

  async createUser(input: NewUser, actor: AuditActor): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UserError(`"${input.email}" is not an e-mail address`);
    if (input.password !== null && input.password.length < 12) throw new UserError('passwords must be at least 12 characters');
    if (input.membership && !ROLES.includes(input.membership.role)) {
      throw new UserError(`role must be one of ${ROLES.join(', ')}`);
    }
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    return this.dataSource.transaction(async (m) => {
      if (await m.existsBy(User, { email })) throw new UserError(`a user with e-mail ${email} already exists`);
      const user = await m.save(User, m.create(User, {
        email, passwordHash, displayName: input.displayName ?? null, networkAdmin: input.networkAdmin ?? false,
      }));
      await writeAudit(m, actor, {
        action: AuditAction.USER_CREATED, entity: 'user', entityId: user.id,
        clinicId: input.membership?.clinicId ?? null, detail: { networkAdmin: user.networkAdmin },
      });
      if (input.membership) {
        await m.insert(Membership, { userId: user.id, clinicId: input.membership.clinicId, role: input.membership.role });
        await writeAudit(m, actor, {
          action: AuditAction.MEMBERSHIP_GRANTED, entity: 'membership', entityId: user.id,
          clinicId: input.membership.clinicId, detail: { role: input.membership.role },
        });
      }
      delete (user as Partial<User>).passwordHash;
      return user;
    });
  }
}
