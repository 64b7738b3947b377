import { ClinicGrant, NetworkGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, type AuditActor, type Membership, type MembershipInvitation, type Role } from '../entities';
import type { DataStore, Repositories } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { RecordNotFound } from './errors';

/** Roles of users in one clinic (MANAGE). A clinic never loses its last administrator. */
export class MembershipsService {
  constructor(private readonly store: DataStore) {}

  /**
   * Grants or changes the user's role in the clinic. `reach` says whom the caller may bring in: a
   * network admin anyone; a clinic administrator only a user already in one of the clinics listed
   * (those where the caller has a role). Anyone else is "not found", exactly like a missing id: an
   * administrator never pulls another clinic's user into its own clinic (and reads its name and
   * e-mail there) without that user's consent (an invitation) or a network admin.
   */
  async grant(
    grant: ClinicGrant,
    userId: string,
    role: Role,
    reach: NetworkGrant | { clinicIds: readonly string[] },
  ): Promise<Membership> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const anyone = NetworkGrant.isGenuine(reach);
    return this.store.transaction(async (tx) => {
      if (!(await tx.accounts.userExists(userId))) throw new RecordNotFound('user');
      if (!anyone) {
        const reachable = new Set([...('clinicIds' in reach ? reach.clinicIds : []), grant.clinicId]);
        const memberships = await tx.accounts.allMembershipsOf(userId);
        if (!memberships.some((m) => reachable.has(m.clinicId))) throw new RecordNotFound('user');
      }
      const existing = await tx.accounts.lockMembership(userId, grant.clinicId);
      if (existing?.role === role) return existing;
      if (existing?.role === 'ADMIN') await this.refuseLastAdmin(tx, grant.clinicId);
      // a changed role revokes the user's tokens (it signs in again under the new role)
      if (existing) await tx.accounts.revokeSessions(userId);
      await tx.invitations.deleteFor(userId, grant.clinicId);
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
      await tx.accounts.revokeSessions(userId);
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

  /** Invitations waiting for this user's consent (asked by administrators of other clinics). */
  invitationsOf(userId: string): Promise<MembershipInvitation[]> {
    return this.store.invitations.forUser(userId);
  }

  /** The invited user consents: its invitation becomes a membership. Another user's invitation is "not found". */
  async acceptInvitation(invitationId: string, self: AuditActor & { userId: string }): Promise<Membership> {
    return this.store.transaction(async (tx) => {
      const invitation = await tx.invitations.lockOfUser(invitationId, self.userId);
      if (!invitation) throw new RecordNotFound('invitation');
      await tx.invitations.delete(invitation.id);
      const existing = await tx.accounts.lockMembership(self.userId, invitation.clinicId);
      if (existing) return existing;
      const saved = await tx.accounts.saveMembership(null, {
        userId: self.userId,
        clinicId: invitation.clinicId,
        role: invitation.role,
      });
      await tx.audit.append(self, {
        action: AuditAction.MEMBERSHIP_INVITATION_ACCEPTED,
        entity: 'membership',
        entityId: self.userId,
        clinicId: invitation.clinicId,
        detail: { role: invitation.role, invitedBy: invitation.invitedBy },
      });
      return saved;
    });
  }

  private async refuseLastAdmin(tx: Repositories, clinicId: string): Promise<void> {
    const admins = await tx.accounts.lockAdministrators(clinicId);
    if (admins.length <= 1) throw new UserError('a clinic must keep at least one administrator');
  }
}
