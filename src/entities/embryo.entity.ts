import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Clinic } from './clinic.entity';
import { Cycle } from './cycle.entity';
import type { Outcome } from './enums';

/**
 * One embryo in culture. `clinicId` repeats the cycle's clinic so every scoped query can filter on
 * the row itself; a trigger keeps the two equal. `externalId` is how sources name it (folder name,
 * `<slide>-WELL<n>`, SeriesInstanceUID).
 */
@Entity()
@Unique(['clinicId', 'externalId'])
export class Embryo {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'uuid' }) cycleId: string;
  @Column({ type: 'text' }) label: string;
  @Column({ type: 'text' }) externalId: string;
  @Column({ type: 'timestamptz', nullable: true }) cultureEndedAt: Date | null;
  /** Hours post insemination at which culture ended, for sources that give hpi only. */
  @Column({ type: 'double precision', nullable: true }) cultureEndedHpi: number | null;
  @Column({ type: 'text', default: 'UNKNOWN' }) outcome: Outcome;
  /** User who recorded the outcome; null when an import's annotations set it. */
  @Column({ type: 'uuid', nullable: true }) outcomeRecordedBy: string | null;
  @Column({ type: 'timestamptz', nullable: true }) outcomeRecordedAt: Date | null;
  /** Where the outcome came from: 'user', 'annotations', … */
  @Column({ type: 'text', nullable: true }) outcomeSource: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' }) @JoinColumn() clinic?: Clinic;
  @ManyToOne(() => Cycle, { onDelete: 'RESTRICT' }) @JoinColumn() cycle?: Cycle;
}
