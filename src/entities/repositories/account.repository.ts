import type { EntityManager } from 'typeorm';
import type { Role } from '../enums';
import { Membership } from '../membership.entity';
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

  /** A user with its memberships, in one query (findOne with relations would add a DISTINCT pre-query). */
  withMemberships(where: { id: string } | { email: string }): Promise<User | null> {
    const query = this.m.getRepository(User).createQueryBuilder('u').leftJoinAndSelect('u.memberships', 'm');
    if ('id' in where) query.where('u.id = :id', { id: where.id });
    else query.where('u.email = :email', { email: where.email });
    return query.getOne();
  }

  /** The one read that loads the password hash: password sign-in. */
  withPasswordHash(email: string): Promise<User | null> {
    return this.m
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
  }

  async createUser(input: {
    email: string;
    passwordHash: string | null;
    displayName: string | null;
    networkAdmin: boolean;
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
