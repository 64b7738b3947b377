import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Clinic } from './clinic.entity';
import { Embryo } from './embryo.entity';
import { ImportRun } from './import-run.entity';

/** A DICOM instance (SOPInstanceUID) whose frames a clinic holds: a re-sent copy is recognised before decoding. */
@Entity()
export class IngestedDicomInstance {
  @PrimaryColumn({ type: 'uuid' }) clinicId: string;
  @PrimaryColumn({ type: 'text' }) sopInstanceUid: string;
  @Column({ type: 'uuid' }) embryoId: string;
  @Column({ type: 'integer' }) frameCount: number;
  @Column({ type: 'uuid', nullable: true }) importRunId: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @ManyToOne(() => Clinic, { onDelete: 'CASCADE' }) @JoinColumn() clinic?: Clinic;
  @ManyToOne(() => Embryo, { onDelete: 'CASCADE' }) @JoinColumn() embryo?: Embryo;
  @ManyToOne(() => ImportRun, { onDelete: 'SET NULL' }) @JoinColumn() importRun?: ImportRun;
}
