import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Embryo } from './embryo.entity';

/** A morphokinetic annotation (tPB2 … tHB) with the runs and hours it spans. */
@Entity()
@Unique(['embryoId', 'phase'])
export class EmbryoPhase {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) embryoId: string;
  @Column({ type: 'text' }) phase: string;
  @Column({ type: 'integer', nullable: true }) firstRun: number | null;
  @Column({ type: 'integer', nullable: true }) lastRun: number | null;
  @Column({ type: 'double precision', nullable: true }) startHpi: number | null;
  @Column({ type: 'double precision', nullable: true }) endHpi: number | null;
  @ManyToOne(() => Embryo, { onDelete: 'CASCADE' }) @JoinColumn() embryo?: Embryo;
}
