import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ScoringRun } from '../scoring-run.entity';
import { scopeCondition, toPage, type ClinicScope, type Page } from './clinic-scope';

export interface NewScoringRun {
  id?: string;
  clinicId: string;
  modelVersionId: string | null;
  trigger: string;
  requestedBy: string | null;
  scope: Record<string, unknown>;
}

export type ScoringRunChanges = Partial<Omit<ScoringRun, 'id' | 'createdAt'>>;

/** Scoring runs: what was asked, how it went, how fast. */
export class ScoringRunRepository {
  constructor(private readonly m: EntityManager) {}

  /** Creates a QUEUED run; null when a run with the given id exists already (two processes asking for the same one). */
  async insert(run: NewScoringRun): Promise<ScoringRun | null> {
    const id = run.id ?? randomUUID();
    const result = await this.m
      .createQueryBuilder()
      .insert()
      .into(ScoringRun)
      .values({ ...run, id, status: 'QUEUED', scope: run.scope as object })
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0 ? this.find(id) : null;
  }

  /** With `lock`, the row stays locked until the transaction ends: batches report in one at a time. */
  find(id: string, options: { lock?: boolean } = {}): Promise<ScoringRun | null> {
    const query = this.m.getRepository(ScoringRun).createQueryBuilder('r').where('r.id = :id', { id });
    if (options.lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  async update(id: string, changes: ScoringRunChanges): Promise<void> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as ScoringRunChanges;
    if (Object.keys(set).length === 0) return;
    await this.m.update(ScoringRun, { id }, set as Parameters<EntityManager['update']>[2]);
  }

  /** Runs of one clinic inside the scope, newest first. */
  async page(
    scope: ClinicScope,
    clinicId: string,
    first: number,
    afterId: string | undefined,
  ): Promise<Page<ScoringRun>> {
    const [condition, params] = scopeCondition('r.clinic_id', scope);
    const query = this.m
      .getRepository(ScoringRun)
      .createQueryBuilder('r')
      .where(condition, params)
      .andWhere('r.clinic_id = :clinicId', { clinicId });
    // The cursor is looked up in the same clinic: another clinic's run is no position (as a random id).
    if (afterId)
      query.andWhere(
        '(r.created_at, r.id) < (SELECT a.created_at, a.id FROM scoring_run a WHERE a.id = :afterId AND a.clinic_id = :clinicId)',
        { afterId },
      );
    const rows = await query
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }
}
