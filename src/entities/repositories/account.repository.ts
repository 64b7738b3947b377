import type { EntityManager } from 'typeorm';
import type { Role } from '../enums';
import { Membership } from '../membership.entity';
import { UserSession } from '../user-session.entity';
import { User } from '../user.entity';
import { scopeCondition, type ClinicScope } from './clinic-scope';

/** Users and their roles per clinic (memberships). Reads never return a password hash unless asked for. */
export class AccountRepository {
  constructor(private readonly m: EntityManager) {}

  user(id: string): Promise<User | null> {
    return this.m.getRepository(User).findOneBy({ id });
  }

  userExists(id: string): Promise<boolean> {
    return this.m.getRepository(User).existsBy({ id });
  }

  emailTaken(email: string): Promise<boolean> {
    return this.m.getRepository(User).existsBy({ email });
  }

  countUsers(): Promise<number> {
    return this.m.getRepository(User).count();
  }

  /**
   * A user with its memberships, in one query: read on every authenticated request (Authenticator),
   * so hand-written SQL into the entities rather than a query builder (bench:api --profile).
   */
  async withMemberships(where: { id: string } | { email: string }): Promise<User | null> {
    const rows: Array<{
      id: string;
      email: string;
      display_name: string | null;
      network_admin: boolean;
      disabled: boolean;
      token_version: number;
      must_change_password: boolean;
      password_changed_at: Date | null;
      created_at: Date;
      m_id: string | null;
      m_clinic_id: string;
      m_role: Role;
      m_created_at: Date;
    }> = await this.m.query(
      `SELECT u.id, u.email, u.display_name, u.network_admin, u.disabled, u.token_version, u.must_change_password,
              u.password_changed_at, u.created_at,
              m.id AS m_id, m.clinic_id AS m_clinic_id, m.role AS m_role, m.created_at AS m_created_at
       FROM "user" u LEFT JOIN membership m ON m.user_id = u.id
       WHERE ${'id' in where ? 'u.id = $1' : 'u.email = $1'}`,
      ['id' in where ? where.id : where.email],
    );
    if (rows.length === 0) return null;
    const [r] = rows;
    return Object.assign(new User(), {
      id: r.id,
      email: r.email,
      displayName: r.display_name,
      networkAdmin: r.network_admin,
      disabled: r.disabled,
      tokenVersion: r.token_version,
      mustChangePassword: r.must_change_password,
      passwordChangedAt: r.password_changed_at,
      createdAt: r.created_at,
      memberships: rows
        .filter((m) => m.m_id !== null)
        .map((m) =>
          Object.assign(new Membership(), {
            id: m.m_id!,
            userId: r.id,
            clinicId: m.m_clinic_id,
            role: m.m_role,
            createdAt: m.m_created_at,
          }),
        ),
    });
  }

  /** The reads that load the password hash: password sign-in and password change. */
  withPasswordHash(where: string | { id: string }): Promise<User | null> {
    const query = this.m.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash');
    if (typeof where === 'string') query.where('u.email = :email', { email: where });
    else query.where('u.id = :id', { id: where.id });
    return query.getOne();
  }

  byEmail(email: string): Promise<User | null> {
    return this.m.getRepository(User).findOneBy({ email });
  }

  /** The user, locked for the rest of the transaction (lifecycle changes do not interleave). */
  lockUser(id: string): Promise<User | null> {
    return this.m
      .getRepository(User)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :id', { id })
      .getOne();
  }

  /** Every membership of one user, whatever the clinic (for the "who may administer this user" check). */
  allMembershipsOf(userId: string): Promise<Membership[]> {
    return this.m.getRepository(Membership).findBy({ userId });
  }

  /** A new password hash; `mustChange` for a temporary one (reset, first start). */
  async setPassword(userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
    await this.m.update(
      User,
      { id: userId },
      { passwordHash, mustChangePassword: mustChange, passwordChangedAt: new Date() },
    );
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.m.update(User, { id: userId }, { disabled });
  }

  /** Every token of the user stops working at its next request; its sessions are listed as revoked. */
  async revokeSessions(userId: string): Promise<number> {
    await this.m.increment(User, { id: userId }, 'tokenVersion', 1);
    const result = await this.m
      .createQueryBuilder()
      .update(UserSession)
      .set({ revokedAt: () => 'now()' })
      .where('user_id = :userId AND revoked_at IS NULL AND expires_at > now()', { userId })
      .execute();
    return result.affected ?? 0;
  }

  async createSession(session: Omit<UserSession, 'revokedAt'>): Promise<void> {
    await this.m.insert(UserSession, { ...session, revokedAt: null });
  }

  session(id: string): Promise<UserSession | null> {
    return this.m.getRepository(UserSession).findOneBy({ id });
  }

  async sessionRefreshed(id: string, refreshedAt: Date, expiresAt: Date): Promise<void> {
    await this.m.update(UserSession, { id }, { refreshedAt, expiresAt });
  }

  /** Sessions of the user whose token may still be valid, newest first. */
  activeSessions(userId: string, now: Date): Promise<UserSession[]> {
    return this.m
      .getRepository(UserSession)
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > :now', { userId, now })
      .orderBy('s.signed_in_at', 'DESC')
      .getMany();
  }

  async createUser(input: {
    email: string;
    passwordHash: string | null;
    displayName: string | null;
    networkAdmin: boolean;
    mustChangePassword?: boolean;
  }): Promise<User> {
    const user = await this.m.save(User, this.m.create(User, input));
    delete (user as Partial<User>).passwordHash;
    return user;
  }

  async addMembership(userId: string, clinicId: string, role: Role): Promise<void> {
    await this.m.insert(Membership, { userId, clinicId, role });
  }

  /** The user's membership in the clinic, locked for the rest of the transaction. */
  lockMembership(userId: string, clinicId: string): Promise<Membership | null> {
    return this.m
      .getRepository(Membership)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where('ms.user_id = :userId AND ms.clinic_id = :clinicId', { userId, clinicId })
      .getOne();
  }

  /** The clinic's administrators, locked, so two concurrent revocations cannot both pass a "last admin" check. */
  lockAdministrators(clinicId: string): Promise<Membership[]> {
    return this.m
      .getRepository(Membership)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where("ms.clinic_id = :clinicId AND ms.role = 'ADMIN'", { clinicId })
      .getMany();
  }

  /** Creates the membership, or changes the role of the one given. */
  saveMembership(
    existing: Membership | null,
    input: { userId: string; clinicId: string; role: Role },
  ): Promise<Membership> {
    return existing
      ? this.m.save(Membership, { ...existing, role: input.role })
      : this.m.save(Membership, this.m.create(Membership, input));
  }

  async deleteMembership(id: string): Promise<void> {
    await this.m.delete(Membership, { id });
  }

  /** Users with a role in the clinic, by e-mail. */
  membersOf(clinicId: string): Promise<User[]> {
    return this.m
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.id IN (SELECT m.user_id FROM membership m WHERE m.clinic_id = :clinicId)', { clinicId })
      .orderBy('u.email')
      .getMany();
  }

  /** Memberships of several users, restricted to the clinics of a scope, oldest first. */
  membershipsOf(scope: ClinicScope, userIds: readonly string[]): Promise<Membership[]> {
    const [condition, params] = scopeCondition('m.clinic_id', scope);
    return this.m
      .getRepository(Membership)
      .createQueryBuilder('m')
      .where(condition, params)
      .andWhere('m.user_id = ANY(CAST(:ids AS uuid[]))', { ids: userIds })
      .orderBy('m.created_at')
      .getMany();
  }
}
