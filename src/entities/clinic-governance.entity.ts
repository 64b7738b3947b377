import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Per-clinic human-oversight settings (a clinic without a row has every setting off). */
@Entity()
export class ClinicGovernance {
  @PrimaryColumn({ type: 'uuid' }) clinicId: string;
  /** Scores stay hidden from EMBRYOLOGIST and CLINICIAN until an embryologist assessed the embryo. */
  @Column({ type: 'boolean', default: false }) assessmentFirst: boolean;
  /** Kill switch: the clinic's model scores nothing and none of its scores are shown until resumed. */
  @Column({ type: 'boolean', default: false }) scoringSuspended: boolean;
  @Column({ type: 'text', nullable: true }) suspendedReason: string | null;
  @Column({ type: 'uuid', nullable: true }) suspendedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) updatedBy: string | null;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
