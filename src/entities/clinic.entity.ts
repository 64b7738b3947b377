import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A site; every patient-level row belongs to exactly one clinic. */
@Entity()
export class Clinic {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Short unique code used on the command line and in imports, e.g. "demo". */
  @Column({ type: 'text', unique: true }) code: string;
  @Column({ type: 'text' }) name: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
