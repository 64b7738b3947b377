import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ImportItemStatus } from './enums';
import { ImportRun } from './import-run.entity';

/** What happened to one item of an import (a file, an embryo, a sheet row) and why. */
@Entity()
export class ImportRunItem {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) importRunId: string;
  @Column({ type: 'text' }) item: string;
  @Column({ type: 'text' }) status: ImportItemStatus;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @ManyToOne(() => ImportRun, { onDelete: 'CASCADE' }) @JoinColumn() importRun?: ImportRun;
}
