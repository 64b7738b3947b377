import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Clinic } from './clinic.entity';
import { ModelVersion } from './model-version.entity';

/**
 * A model version enabled for a clinic. At most one is `active` per clinic (partial unique index);
 * a `shadow` model is scored silently and shown to admins only.
 */
@Entity()
@Unique(['clinicId', 'modelVersionId'])
export class ClinicModel {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'uuid' }) modelVersionId: string;
  @Column({ type: 'boolean', default: false }) active: boolean;
  @Column({ type: 'boolean', default: false }) shadow: boolean;
  @Column({ type: 'timestamptz', nullable: true }) activatedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) activatedBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => Clinic, { onDelete: 'CASCADE' }) @JoinColumn() clinic?: Clinic;
  @ManyToOne(() => ModelVersion, { onDelete: 'RESTRICT' }) @JoinColumn() modelVersion?: ModelVersion;
}
