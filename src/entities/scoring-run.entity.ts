import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { RunStatus } from './enums';

/** One scoring pass: what triggered it, what it scored, how fast, on which execution provider. */
@Entity()
export class ScoringRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', nullable: true }) clinicId: string | null;
  @Column({ type: 'uuid', nullable: true }) modelVersionId: string | null;
  /** 'cron', 'request', 'cli', … */
  @Column({ type: 'text' }) trigger: string;
  @Column({ type: 'uuid', nullable: true }) requestedBy: string | null;
  @Column({ type: 'text', default: 'QUEUED' }) status: RunStatus;
  /** What was asked: clinic, cycle or embryo ids. */
  @Column({ type: 'jsonb', default: {} }) scope: Record<string, unknown>;
  @Column({ type: 'integer', default: 0 }) embryosScored: number;
  @Column({ type: 'integer', default: 0 }) predictionsWritten: number;
  @Column({ type: 'integer', default: 0 }) embryosFailed: number;
  @Column({ type: 'integer', nullable: true }) durationMs: number | null;
  @Column({ type: 'double precision', nullable: true }) embryosPerSecond: number | null;
  @Column({ type: 'text', nullable: true }) executionProvider: string | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  /** Per-embryo failures and timing shares. */
  @Column({ type: 'jsonb', default: {} }) details: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
