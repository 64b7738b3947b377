import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Clinic } from './clinic.entity';
import type { CycleMethod, CycleStatus } from './enums';
import { Patient } from './patient.entity';

/**
 * A treatment cycle. The clinic's `unassigned` cycle (no patient, no insemination time) holds
 * embryos imported before a cycle sheet names their cycle.
 */
@Entity()
@Unique(['clinicId', 'externalId'])
export class Cycle {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'uuid', nullable: true }) patientId: string | null;
  @Column({ type: 'text' }) externalId: string;
  @Column({ type: 'timestamptz', nullable: true }) inseminationAt: Date | null;
  @Column({ type: 'text', nullable: true }) method: CycleMethod | null;
  @Column({ type: 'text', default: 'ACTIVE' }) status: CycleStatus;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' }) @JoinColumn() clinic?: Clinic;
  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' }) @JoinColumn() patient?: Patient | null;
}
