import { ClinicGrant, NetworkGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, ROLES, type Clinic, type Role, type User } from '../entities';
import type { DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { hashPassword } from '../auth/password';

export interface NewUser {
  email: string;
  password: string | null;
  displayName?: string | null;
  networkAdmin?: boolean;
}

/**
 * Who may create a user: a clinic administrator gives the new user a role in that clinic; users
 * without a clinic and network administrators need network rights.
 */
export interface UserCreationGrants {
  network?: NetworkGrant;
  /** The clinic of the first membership, with the role given there. */
  clinic?: { grant: ClinicGrant; role: Role };
}

/** Clinics, users and first memberships: the operations an administrator (or the CLI operator) performs. */
export class AccountsService {
  constructor(private readonly store: DataStore) {}

  async createClinic(input: { code: string; name: string }, grant: NetworkGrant): Promise<Clinic> {
    NetworkGrant.check(grant);
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(input.code)) {
      throw new UserError(`clinic code "${input.code}" must be letters, digits, _ or - (at most 64)`);
    }
    return this.store.transaction(async (tx) => {
      if (await tx.clinics.existsWithCode(input.code)) throw new UserError(`clinic "${input.code}" already exists`);
      const clinic = await tx.clinics.create({ code: input.code, name: input.name.trim() || input.code });
      await tx.audit.append(grant.actor, {
        action: AuditAction.CLINIC_CREATED,
        entity: 'clinic',
        entityId: clinic.id,
        clinicId: clinic.id,
      });
      return clinic;
    });
  }

  async createUser(input: NewUser, grants: UserCreationGrants): Promise<User> {
    const membership = grants.clinic;
    if (grants.network) NetworkGrant.check(grants.network);
    else if (input.networkAdmin || !membership)
      throw new Error('creating a user without a clinic or a network admin needs a network grant');
    if (membership) ClinicGrant.check(membership.grant, Permission.MANAGE);
    const actor = (membership?.grant ?? grants.network)!.actor;
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UserError(`"${input.email}" is not an e-mail address`);
    if (input.password !== null && input.password.length < 12)
      throw new UserError('passwords must be at least 12 characters');
    if (membership && !ROLES.includes(membership.role)) {
      throw new UserError(`role must be one of ${ROLES.join(', ')}`);
    }
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    return this.store.transaction(async (tx) => {
      if (await tx.accounts.emailTaken(email)) throw new UserError(`a user with e-mail ${email} already exists`);
      const user = await tx.accounts.createUser({
        email,
        passwordHash,
        displayName: input.displayName ?? null,
        networkAdmin: input.networkAdmin ?? false,
      });
      const clinicId = membership?.grant.clinicId ?? null;
      await tx.audit.append(actor, {
        action: AuditAction.USER_CREATED,
        entity: 'user',
        entityId: user.id,
        clinicId,
        detail: { networkAdmin: user.networkAdmin },
      });
      if (membership) {
        await tx.accounts.addMembership(user.id, membership.grant.clinicId, membership.role);
        await tx.audit.append(actor, {
          action: AuditAction.MEMBERSHIP_GRANTED,
          entity: 'membership',
          entityId: user.id,
          clinicId: membership.grant.clinicId,
          detail: { role: membership.role },
        });
      }
      return user;
    });
  }
}
