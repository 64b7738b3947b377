import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One password sign-in and the tokens renewed from it (the token's `sid`). Listed to the user and
 * to its administrators; a token never outlives `signedInAt` + SESSION_MAX_AGE_SECONDS.
 */
@Entity({ name: 'user_session' })
export class UserSession {
  @PrimaryColumn('uuid') id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'text' }) via: 'password';
  @Column({ type: 'timestamptz' }) signedInAt: Date;
  @Column({ type: 'timestamptz' }) refreshedAt: Date;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}
