import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Clinic } from './clinic.entity';

/** Minimum PHI: the medical record number, unique within the clinic, and an optional name. */
@Entity()
@Unique(['clinicId', 'mrn'])
export class Patient {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) mrn: string;
  @Column({ type: 'text', nullable: true }) displayName: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' }) @JoinColumn() clinic?: Clinic;
}
