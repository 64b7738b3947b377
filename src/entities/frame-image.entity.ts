import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Normalised pixel bytes, content-addressed so a re-import stores nothing twice. */
@Entity()
export class FrameImage {
  @PrimaryColumn({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'bytea' }) bytes: Buffer;
  @Column({ type: 'text' }) mime: string;
}
