import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Embryo } from './embryo.entity';
import { ModelVersion } from './model-version.entity';

/**
 * Probability of blastocyst formation at segment k ("at hpi 6(k+1)") from one model version.
 * Unique per (embryo, model, segment): written once, scoring is idempotent.
 */
@Entity()
@Unique(['embryoId', 'modelVersionId', 'segment'])
export class Prediction {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) embryoId: string;
  @Column({ type: 'uuid' }) modelVersionId: string;
  @Column({ type: 'smallint' }) segment: number;
  @Column({ type: 'double precision' }) hoursPostInsemination: number;
  @Column({ type: 'double precision' }) probability: number;
  /** The frames used, and which were imputed (empty segment, missing plane). */
  @Column({ type: 'jsonb' }) inputs: Record<string, unknown>;
  /** The software it was computed with (ONNX Runtime, execution provider, preprocessing); null before #16. */
  @Column({ type: 'jsonb', nullable: true }) runtime: Record<string, unknown> | null;
  @Column({ type: 'uuid', nullable: true }) scoringRunId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => Embryo, { onDelete: 'CASCADE' }) @JoinColumn() embryo?: Embryo;
  @ManyToOne(() => ModelVersion, { onDelete: 'RESTRICT' }) @JoinColumn() modelVersion?: ModelVersion;
}
