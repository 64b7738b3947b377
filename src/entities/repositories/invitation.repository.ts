import type { EntityManager } from 'typeorm';
import type { Role } from '../enums';
import { MembershipInvitation } from '../membership-invitation.entity';

/** Pending invitations of existing users into a clinic (they become memberships on acceptance). */
export class InvitationRepository {
  constructor(private readonly m: EntityManager) {}

  /** Creates the invitation, or changes the role of a pending one; returns it. */
  async upsert(input: { userId: string; clinicId: string; role: Role; invitedBy: string | null }) {
    await this.m
      .createQueryBuilder()
      .insert()
      .into(MembershipInvitation)
      .values(input)
      .orUpdate(['role', 'invited_by'], ['user_id', 'clinic_id'])
      .execute();
    return this.m
      .getRepository(MembershipInvitation)
      .findOneByOrFail({ userId: input.userId, clinicId: input.clinicId });
  }

  forUser(userId: string): Promise<MembershipInvitation[]> {
    return this.m.getRepository(MembershipInvitation).find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  /** The user's invitation with this id, locked for the rest of the transaction. */
  lockOfUser(id: string, userId: string): Promise<MembershipInvitation | null> {
    return this.m
      .getRepository(MembershipInvitation)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.id = :id AND i.user_id = :userId', { id, userId })
      .getOne();
  }

  async delete(id: string): Promise<void> {
    await this.m.delete(MembershipInvitation, { id });
  }

  async deleteFor(userId: string, clinicId: string): Promise<void> {
    await this.m.delete(MembershipInvitation, { userId, clinicId });
  }
}
