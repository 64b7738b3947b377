import { ClinicGrant, NetworkGrant } from '../auth/grants';
import { generatePassword, hashPassword } from '../auth/password';
import { Permission } from '../auth/permissions';
import { AuditAction, type AuditActor, type Membership, type User, type UserSession } from '../entities';
import type { DataStore, Repositories } from '../entities/repositories';
import { NotPermitted, RecordNotFound } from './errors';

/**
 * Whose users the caller administers: a network admin everyone; a clinic administrator the users
 * whose every membership is in a clinic it administers (so it cannot lock a user out of another
 * clinic, and never touches a network admin).
 */
export type UserAuthority = { network: NetworkGrant } | { clinics: readonly ClinicGrant[] };

/**
 * Administration of accounts after creation: temporary passwords, disable/enable, sessions. Every
 * change that takes rights away revokes the user's tokens (token version) in the same transaction.
 */
export class AccountLifecycleService {
  constructor(private readonly store: DataStore) {}

  /** A new temporary password (shown once), to be replaced at the next sign-in; all sessions end. */
  async resetPassword(userId: string, authority: UserAuthority): Promise<{ user: User; temporaryPassword: string }> {
    const temporaryPassword = generatePassword();
    const hash = await hashPassword(temporaryPassword);
    const user = await this.change(userId, authority, async (tx, target, actor, clinicId) => {
      if (target.id === actor.userId) throw new NotPermitted('change your own password with changePassword');
      await tx.accounts.setPassword(target.id, hash, true);
      const revoked = await tx.accounts.revokeSessions(target.id);
      await tx.audit.append(actor, {
        action: AuditAction.PASSWORD_RESET,
        entity: 'user',
        entityId: target.id,
        clinicId,
        detail: { sessionsRevoked: revoked },
      });
    });
    return { user, temporaryPassword };
  }

  /** Disables (every token stops working at once) or re-enables a user. */
  setDisabled(userId: string, disabled: boolean, authority: UserAuthority): Promise<User> {
    return this.change(userId, authority, async (tx, target, actor, clinicId) => {
      if (target.id === actor.userId) throw new NotPermitted('you cannot disable or enable yourself');
      if (target.disabled === disabled) return;
      await tx.accounts.setDisabled(target.id, disabled);
      const revoked = disabled ? await tx.accounts.revokeSessions(target.id) : 0;
      await tx.audit.append(actor, {
        action: disabled ? AuditAction.USER_DISABLED : AuditAction.USER_ENABLED,
        entity: 'user',
        entityId: target.id,
        clinicId,
        detail: disabled ? { sessionsRevoked: revoked } : {},
      });
    });
  }

  /** Ends every session of the user ("sign out everywhere"). */
  revokeSessions(userId: string, authority: UserAuthority | { self: AuditActor }): Promise<User> {
    return this.change(userId, authority, async (tx, target, actor, clinicId) => {
      const revoked = await tx.accounts.revokeSessions(target.id);
      await tx.audit.append(actor, {
        action: AuditAction.SESSIONS_REVOKED,
        entity: 'user',
        entityId: target.id,
        clinicId,
        detail: { sessionsRevoked: revoked },
      });
    });
  }

  /** The user's sessions whose tokens may still be valid, newest first. */
  async sessions(userId: string, authority: UserAuthority | { self: AuditActor }): Promise<UserSession[]> {
    await this.target(this.store, userId, authority);
    return this.store.accounts.activeSessions(userId, new Date());
  }

  private async change(
    userId: string,
    authority: UserAuthority | { self: AuditActor },
    work: (tx: Repositories, target: User, actor: AuditActor, clinicId: string | null) => Promise<void>,
  ): Promise<User> {
    return this.store.transaction(async (tx) => {
      const { actor, clinicId } = await this.target(tx, userId, authority, { lock: true });
      const target = (await tx.accounts.lockUser(userId))!;
      await work(tx, target, actor, clinicId);
      return (await tx.accounts.user(userId))!;
    });
  }

  /** Checks the caller's authority over the user: NOT_FOUND outside its clinics, FORBIDDEN past its reach. */
  private async target(
    tx: Repositories,
    userId: string,
    authority: UserAuthority | { self: AuditActor },
    options: { lock?: boolean } = {},
  ): Promise<{ actor: AuditActor; clinicId: string | null }> {
    const user = options.lock ? await tx.accounts.lockUser(userId) : await tx.accounts.user(userId);
    if (!user) throw new RecordNotFound('user');
    const memberships: Membership[] = await tx.accounts.allMembershipsOf(userId);
    if ('self' in authority) {
      if (authority.self.userId !== userId) throw new RecordNotFound('user');
      return { actor: authority.self, clinicId: null };
    }
    if ('network' in authority) {
      NetworkGrant.check(authority.network);
      return { actor: authority.network.actor, clinicId: memberships[0]?.clinicId ?? null };
    }
    const managed = new Set(authority.clinics.map((g) => ClinicGrant.check(g, Permission.MANAGE).clinicId));
    const shared = memberships.find((m) => managed.has(m.clinicId));
    if (!shared || authority.clinics.length === 0) throw new RecordNotFound('user');
    if (user.networkAdmin || memberships.some((m) => !managed.has(m.clinicId)))
      throw new NotPermitted('this user also belongs to clinics you do not administer: ask a network administrator');
    return { actor: authority.clinics[0].actor, clinicId: shared.clinicId };
  }
}
