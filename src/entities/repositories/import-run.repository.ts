import type { EntityManager } from 'typeorm';
import type { ImportItemStatus, ImportKind, RunStatus } from '../enums';
import { ImportRunItem } from '../import-run-item.entity';
import { ImportRun } from '../import-run.entity';
import { scopeCondition, toPage, type ClinicScope, type Page } from './clinic-scope';

export interface ImportItem {
  item: string;
  status: ImportItemStatus;
  reason: string | null;
}

/** Import runs and their per-item reports. */
export class ImportRunRepository {
  constructor(private readonly m: EntityManager) {}

  create(input: {
    clinicId: string;
    kind: ImportKind;
    source: string;
    requestedBy: string | null;
    leaseId?: string | null;
    importSourceId?: string | null;
  }): Promise<ImportRun> {
    return this.m.getRepository(ImportRun).save({ ...input, status: 'RUNNING' });
  }

  /** Appends items in one multi-row INSERT. */
  async appendItems(importRunId: string, items: ImportItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.m.insert(
      ImportRunItem,
      items.map((i) => ({ importRunId, item: i.item, status: i.status, reason: i.reason })),
    );
  }

  async finish(importRunId: string, status: RunStatus, counts: Record<ImportItemStatus, number>): Promise<void> {
    await this.m.update(
      ImportRun,
      { id: importRunId },
      {
        status,
        stored: counts.stored,
        alreadyStored: counts.alreadyStored,
        skipped: counts.skipped,
        failed: counts.failed,
        finishedAt: new Date(),
      },
    );
  }

  /** Runs of one clinic inside the scope, newest first. */
  async page(
    scope: ClinicScope,
    clinicId: string,
    first: number,
    afterId: string | undefined,
  ): Promise<Page<ImportRun>> {
    const [condition, params] = scopeCondition('r.clinic_id', scope);
    const query = this.m
      .getRepository(ImportRun)
      .createQueryBuilder('r')
      .where(condition, params)
      .andWhere('r.clinic_id = :clinicId', { clinicId });
    // The cursor is looked up in the same clinic: another clinic's run is no position (as a random id).
    if (afterId)
      query.andWhere(
        '(r.started_at, r.id) < (SELECT a.started_at, a.id FROM import_run a WHERE a.id = :afterId AND a.clinic_id = :clinicId)',
        { afterId },
      );
    const rows = await query
      .orderBy('r.started_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }

  /** Items of several runs inside the scope, in the order they were reported. */
  itemsOf(scope: ClinicScope, runIds: readonly string[]): Promise<ImportRunItem[]> {
    const [condition, params] = scopeCondition('r.clinic_id', scope);
    return this.m
      .getRepository(ImportRunItem)
      .createQueryBuilder('i')
      .innerJoin(ImportRun, 'r', 'r.id = i.import_run_id')
      .where(condition, params)
      .andWhere('i.import_run_id = ANY(CAST(:ids AS uuid[]))', { ids: runIds })
      .orderBy('i.id')
      .getMany();
  }
}
