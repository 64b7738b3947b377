import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ASSESSMENT_DECISIONS = ['TRANSFER', 'FREEZE', 'DISCARD', 'KEEP_IN_CULTURE'] as const;
export type AssessmentDecision = (typeof ASSESSMENT_DECISIONS)[number];

/**
 * An embryologist's own assessment of an embryo (grade and decision), with what the clinic's active
 * model said when it was recorded (probability, rank within the cycle) and, for a decision against
 * the model's ranking, the reason. Append-only: the newest row of an embryo is its assessment.
 */
@Entity()
export class EmbryoAssessment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) embryoId: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'uuid', nullable: true }) assessedBy: string | null;
  @Column({ type: 'text' }) grade: string;
  @Column({ type: 'text' }) decision: AssessmentDecision;
  @Column({ type: 'uuid', nullable: true }) modelVersionId: string | null;
  @Column({ type: 'double precision', nullable: true }) modelProbability: number | null;
  /** 1 = the model's first choice in the cycle; null when the model had not scored the embryo. */
  @Column({ type: 'integer', nullable: true }) modelRank: number | null;
  /** Scored embryos of the cycle the rank is out of. */
  @Column({ type: 'integer', nullable: true }) modelRankOf: number | null;
  @Column({ type: 'boolean', default: false }) againstModel: boolean;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
