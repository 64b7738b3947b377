import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a model must show on a clinic's own outcomes before it may become that clinic's active model. */
@Entity()
export class ModelAcceptanceCriteria {
  @PrimaryColumn({ type: 'uuid' }) clinicId: string;
  @PrimaryColumn({ type: 'uuid' }) modelVersionId: string;
  @Column({ type: 'double precision' }) minDay3RocAuc: number;
  @Column({ type: 'integer' }) minOutcomes: number;
  /** The candidate's day-3 ROC AUC may be at most this much below the active model's; null: no comparison. */
  @Column({ type: 'double precision', nullable: true }) maxDropVsActive: number | null;
  @Column({ type: 'uuid', nullable: true }) setBy: string | null;
  @Column({ type: 'timestamptz' }) setAt: Date;
}
