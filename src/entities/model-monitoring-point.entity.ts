import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One nightly monitoring check of a clinic's active or shadow model (issue #16). */
@Entity()
export class ModelMonitoringPoint {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'uuid' }) modelVersionId: string;
  @Column({ type: 'text' }) role: 'active' | 'shadow';
  @Column({ type: 'timestamptz' }) checkedAt: Date;
  /** outcomes recorded after this instant count (the previous check); null: all */
  @Column({ type: 'timestamptz', nullable: true }) since: Date | null;
  @Column({ type: 'integer' }) outcomes: number;
  @Column({ type: 'double precision', nullable: true }) rocAucDay3: number | null;
  @Column({ type: 'double precision', nullable: true }) rocAucDay4: number | null;
  @Column({ type: 'double precision', nullable: true }) rocAucDay5: number | null;
  @Column({ type: 'double precision', nullable: true }) accuracyAuc: number | null;
  @Column({ type: 'double precision', nullable: true }) brier: number | null;
  @Column({ type: 'jsonb' }) reliability: unknown[];
  /** embryos whose latest score changed since the previous check (the PSI's current sample) */
  @Column({ type: 'integer' }) scores: number;
  @Column({ type: 'double precision', nullable: true }) psi: number | null;
  @Column({ type: 'jsonb', default: [] }) alerts: Array<{ metric: string; value: number; threshold: number }>;
}
