import type { DataSource, EntityManager } from 'typeorm';
import { ImportRun, ImportRunItem, type ImportItemStatus, type ImportKind, type RunStatus } from '../../entities';
import type { ImportItemResult } from '../import-types';

/** SQL for import_run and import_run_item. */
export class ImportRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: { clinicId: string; kind: ImportKind; source: string; requestedBy: string | null }): Promise<ImportRun> {
    return this.dataSource.getRepository(ImportRun).save({ ...input, status: 'RUNNING' as RunStatus });
  }

  /** Appends items in one multi-row INSERT (committed at once, so a killed import keeps what it reported). */
  async appendItems(importRunId: string, items: ImportItemResult[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (items.length === 0) return;
    await manager.insert(ImportRunItem, items.map((i) => ({ importRunId, item: i.item, status: i.status, reason: i.reason })));
  }

  async finish(
    manager: EntityManager,
    importRunId: string,
    status: RunStatus,
    counts: Record<ImportItemStatus, number>,
  ): Promise<void> {
    await manager.update(ImportRun, { id: importRunId }, {
      status, stored: counts.stored, alreadyStored: counts.alreadyStored, skipped: counts.skipped, failed: counts.failed,
      finishedAt: new Date(),
    });
  }
}
