import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ImportSource } from './import-source.entity';

/**
 * What a source's scans saw of one file at this size and mtime: `pending` (not settled yet),
 * `stored`, `failed` (the file's own fault), or `skipped` (waiting for something else, such as the
 * cycle sheet of its study).
 */
export const SOURCE_FILE_STATUSES = ['pending', 'stored', 'failed', 'skipped'] as const;
export type SourceFileStatus = (typeof SOURCE_FILE_STATUSES)[number];

/** One file of an import source, by path relative to the source's folder. */
@Entity()
export class ImportSourceFile {
  @PrimaryColumn({ type: 'uuid' }) sourceId: string;
  @PrimaryColumn({ type: 'text' }) path: string;
  @Column({ type: 'bigint' }) size: string;
  @Column({ type: 'double precision' }) mtimeMs: number;
  @Column({ type: 'text' }) status: SourceFileStatus;
  @ManyToOne(() => ImportSource, { onDelete: 'CASCADE' }) @JoinColumn() source?: ImportSource;
}
