import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Membership } from './membership.entity';

@Entity({ name: 'user' })
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Stored lower-case; unique. */
  @Column({ type: 'text', unique: true }) email: string;
  @Column({ type: 'text', nullable: true }) displayName: string | null;
  /** argon2id hash; null for users who only sign in through the hospital's OIDC provider. */
  @Column({ type: 'text', nullable: true, select: false }) passwordHash: string | null;
  /** Administrator of every clinic. */
  @Column({ type: 'boolean', default: false }) networkAdmin: boolean;
  @Column({ type: 'boolean', default: false }) disabled: boolean;
  /** Bumped on password change, disable and role change: tokens carrying an older version are refused. */
  @Column({ type: 'integer', default: 0 }) tokenVersion: number;
  /** A first-start or reset password: the user may do nothing but choose a new one. */
  @Column({ type: 'boolean', default: false }) mustChangePassword: boolean;
  @Column({ type: 'timestamptz', nullable: true }) passwordChangedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @OneToMany(() => Membership, (m) => m.user) memberships?: Membership[];
}
