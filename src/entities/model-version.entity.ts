import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { ModelProvenanceKind, ModelVariant } from './enums';

/** A registered ONNX model that fulfils the AMSNet contract (DESIGN.md §6). */
@Entity()
@Unique(['name', 'version'])
export class ModelVersion {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) version: string;
  @Column({ type: 'char', length: 64, unique: true }) sha256: string;
  @Column({ type: 'text' }) variant: ModelVariant;
  /** Focal planes in µm, ascending. */
  @Column({ type: 'integer', array: true }) planes: number[];
  @Column({ type: 'integer' }) inputSize: number;
  /** The full contract as read from metadata_props (or stated at registration). */
  @Column({ type: 'jsonb' }) contract: Record<string, unknown>;
  /** False for a model built without trained weights: every number it produces says so. */
  @Column({ type: 'boolean' }) trained: boolean;
  /** Where the weights came from (see provenance.ts in src/inference). */
  @Column({ type: 'text' }) provenance: ModelProvenanceKind;
  /** Trained on synthetic images: not for clinical use, like an untrained model. */
  @Column({ type: 'boolean' }) synthetic: boolean;
  /** The trainer's manifest for `trained` (dataset, splits, recipe, validation metrics). */
  @Column({ type: 'jsonb', nullable: true }) trainingManifest: Record<string, unknown> | null;
  /** sha256 of the weights file the graph was built from, when known. */
  @Column({ type: 'char', length: 64, nullable: true }) weightsSha256: string | null;
  @Column({ type: 'bytea', select: false }) onnx: Buffer;
  @Column({ type: 'bigint' }) sizeBytes: string;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
