import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Embryo } from './embryo.entity';
import { FrameImage } from './frame-image.entity';

/** One image of one embryo at one time and focal plane. */
@Entity()
@Unique(['embryoId', 'hoursPostInsemination', 'focalPlaneUm'])
export class Frame {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) embryoId: string;
  /** Wall-clock acquisition time; null when the source gives hours post insemination only. */
  @Column({ type: 'timestamptz', nullable: true }) acquiredAt: Date | null;
  @Column({ type: 'double precision' }) hoursPostInsemination: number;
  @Column({ type: 'integer' }) focalPlaneUm: number;
  /** Run / frame number in the source, when it has one. */
  @Column({ type: 'integer', nullable: true }) run: number | null;
  @Column({ type: 'integer' }) width: number;
  @Column({ type: 'integer' }) height: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  /** Path or UID of the source item this frame came from. */
  @Column({ type: 'text' }) source: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @ManyToOne(() => Embryo, { onDelete: 'CASCADE' }) @JoinColumn() embryo?: Embryo;
  @ManyToOne(() => FrameImage, { onDelete: 'RESTRICT' }) @JoinColumn({ name: 'sha256' }) image?: FrameImage;
}
