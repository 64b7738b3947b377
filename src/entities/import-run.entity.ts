import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ImportKind, RunStatus } from './enums';

/** One import: its source, counts per status; items in import_run_item. */
@Entity()
export class ImportRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) kind: ImportKind;
  @Column({ type: 'text' }) source: string;
  @Column({ type: 'uuid', nullable: true }) requestedBy: string | null;
  /** The import source whose scheduled scan made this run; null for imports started by hand. */
  @Column({ type: 'uuid', nullable: true }) importSourceId: string | null;
  @Column({ type: 'text', default: 'RUNNING' }) status: RunStatus;
  @Column({ type: 'integer', default: 0 }) stored: number;
  @Column({ type: 'integer', default: 0 }) alreadyStored: number;
  @Column({ type: 'integer', default: 0 }) skipped: number;
  @Column({ type: 'integer', default: 0 }) failed: number;
  @CreateDateColumn({ type: 'timestamptz' }) startedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  /** The lease of the process importing it while RUNNING (process-leases migration). */
  @Column({ type: 'uuid', nullable: true }) leaseId: string | null;
}
