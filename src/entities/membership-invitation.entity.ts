import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './enums';

/**
 * A clinic administrator asked for a role for an e-mail that already belongs to a user outside its
 * clinics. It becomes a membership only when that user accepts it (or a network admin grants one),
 * so no administrator reads another clinic's user without consent.
 */
@Entity({ name: 'membership_invitation' })
export class MembershipInvitation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) role: Role;
  @Column({ type: 'uuid', nullable: true }) invitedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
