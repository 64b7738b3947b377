import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ImportKind } from './enums';

/**
 * A folder on the server that a clinic's imports run from on a schedule: an EmbryoScope folder
 * export, a folder of .pdb slide files, a DICOM drop folder or a folder of cycle sheets. Its path
 * lies inside one of the configured IMPORT_ROOTS. Health (last success, failures in a row) is
 * kept on the row so it survives restarts and is shared by every worker.
 */
@Entity()
export class ImportSource {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) kind: ImportKind;
  /** Absolute, symlink-free path inside an allowed root. */
  @Column({ type: 'text' }) path: string;
  /** Cron expression (node-cron syntax) of the scans. */
  @Column({ type: 'text' }) schedule: string;
  /** Enqueue scoring of the embryos an import gave new frames (active cycles only). */
  @Column({ type: 'boolean', default: true }) scoreAfterImport: boolean;
  @Column({ type: 'boolean', default: false }) paused: boolean;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) lastCheckedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastSuccessAt: Date | null;
  @Column({ type: 'integer', default: 0 }) consecutiveFailures: number;
  @Column({ type: 'text', nullable: true }) lastError: string | null;
  /** Claim of the scan in progress: when it started, and the process lease of its holder. */
  @Column({ type: 'timestamptz', nullable: true }) scanStartedAt: Date | null;
  /** The holder's process_lease: the claim ends when that lease expires or is gone. */
  @Column({ type: 'uuid', nullable: true }) scanLeaseId: string | null;
}
