import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only record of a read of patient-level data or a change (a trigger refuses UPDATE/DELETE). */
@Entity()
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'text' }) entity: string;
  @Column({ type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'uuid', nullable: true }) clinicId: string | null;
  @Column({ type: 'text', nullable: true }) requestId: string | null;
  @Column({ type: 'jsonb', default: {} }) detail: Record<string, unknown>;
}
