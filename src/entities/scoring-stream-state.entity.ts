import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Embryo } from './embryo.entity';
import { ModelVersion } from './model-version.entity';

/**
 * The temporal state a streaming model carries after an embryo's first `segments` segments, so
 * the next scoring feeds only the new segments. Written with the predictions it continues from.
 */
@Entity()
export class ScoringStreamState {
  @PrimaryColumn({ type: 'uuid' }) embryoId: string;
  @PrimaryColumn({ type: 'uuid' }) modelVersionId: string;
  @Column({ type: 'smallint' }) segments: number;
  @Column({ type: 'bytea' }) state: Buffer;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @ManyToOne(() => Embryo, { onDelete: 'CASCADE' }) @JoinColumn() embryo?: Embryo;
  @ManyToOne(() => ModelVersion, { onDelete: 'CASCADE' }) @JoinColumn() modelVersion?: ModelVersion;
}
