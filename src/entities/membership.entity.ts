import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Clinic } from './clinic.entity';
import type { Role } from './enums';
import { User } from './user.entity';

/** A user's role in one clinic. */
@Entity()
@Unique(['userId', 'clinicId'])
export class Membership {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) role: Role;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => User, (u) => u.memberships, { onDelete: 'CASCADE' }) @JoinColumn() user?: User;
  @ManyToOne(() => Clinic, { onDelete: 'CASCADE' }) @JoinColumn() clinic?: Clinic;
}
