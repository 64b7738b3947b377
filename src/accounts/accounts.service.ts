import { ClinicGrant, NetworkGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, ROLES, type Clinic, type Role, type User } from '../entities';
import type { DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { checkNewPassword, hashPassword } from '../auth/password';
import type { Repositories } from '../entities/repositories';

export interface NewUser {
  email: string;
  password: string | null;
  displayName?: string | null;
  networkAdmin?: boolean;
  /** A password someone else chose (first start): the user must replace it at its first sign-in. */
  mustChangePassword?: boolean;
}

/**
 * What createUser answers. For a clinic administrator whose e-mail already belongs to a user
 * outside that clinic, the answer has the same shape as a creation but holds only what the
 * administrator typed: `id` is the invitation's, `pendingMembership` the role it asks for.
 */
export type CreatedUser = User & {
  pendingMembership?: { id: string; clinicId: string; role: Role; createdAt: Date };
};

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

  async createUser(input: NewUser, grants: UserCreationGrants): Promise<CreatedUser> {
    const membership = grants.clinic;
    if (grants.network) NetworkGrant.check(grants.network);
    else if (input.networkAdmin || !membership)
      throw new Error('creating a user without a clinic or a network admin needs a network grant');
    if (membership) ClinicGrant.check(membership.grant, Permission.MANAGE);
    const actor = (membership?.grant ?? grants.network)!.actor;
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UserError(`"${input.email}" is not an e-mail address`);
    if (input.password !== null) checkNewPassword(input.password);
    if (membership && !ROLES.includes(membership.role)) {
      throw new UserError(`role must be one of ${ROLES.join(', ')}`);
    }
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    return this.store.transaction(async (tx) => {
      const existing = await tx.accounts.byEmail(email);
      if (existing && membership && !grants.network) return this.invite(tx, existing, input, membership);
      if (existing) throw new UserError(`a user with e-mail ${email} already exists`);
      const user = await tx.accounts.createUser({
        email,
        passwordHash,
        displayName: input.displayName ?? null,
        networkAdmin: input.networkAdmin ?? false,
        mustChangePassword: input.mustChangePassword ?? false,
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

  /**
   * A clinic administrator named the e-mail of an existing user. Already in this clinic: it can
   * see that user anyway, so the plain answer. Elsewhere: an invitation the user must accept, and
   * an answer shaped like a creation built only from the input, so the answer does not reveal that
   * the e-mail exists, and nothing of that user (name, id, other clinics) reaches the administrator.
   */
  private async invite(
    tx: Repositories,
    existing: User,
    input: NewUser,
    membership: { grant: ClinicGrant; role: Role },
  ): Promise<CreatedUser> {
    const clinicId = membership.grant.clinicId;
    if (await tx.accounts.lockMembership(existing.id, clinicId))
      throw new UserError(`a user with e-mail ${existing.email} already exists`);
    const invitation = await tx.invitations.upsert({
      userId: existing.id,
      clinicId,
      role: membership.role,
      invitedBy: membership.grant.actor.userId,
    });
    await tx.audit.append(membership.grant.actor, {
      action: AuditAction.MEMBERSHIP_INVITED,
      entity: 'membership',
      entityId: existing.id,
      clinicId,
      detail: { role: membership.role, invitationId: invitation.id },
    });
    const answer: CreatedUser = {
      id: invitation.id,
      email: existing.email,
      displayName: input.displayName ?? null,
      networkAdmin: false,
      disabled: false,
      tokenVersion: 0,
      mustChangePassword: false,
      passwordHash: null,
      passwordChangedAt: null,
      createdAt: invitation.createdAt,
      pendingMembership: { id: invitation.id, clinicId, role: membership.role, createdAt: invitation.createdAt },
    };
    return answer;
  }
}
