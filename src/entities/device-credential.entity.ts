import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A credential for a device (a microscope, a PACS router) that pushes DICOM over STOW-RS into one
 * clinic. Only the SHA-256 of its token is stored: the token is shown once, when it is created.
 */
@Entity()
export class DeviceCredential {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) clinicId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'char', length: 64, unique: true }) tokenHash: string;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
}
