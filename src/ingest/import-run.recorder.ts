import type { ClinicGrant } from '../auth/grants';
import { AuditAction, IMPORT_ITEM_STATUSES, type ImportItemStatus, type ImportKind, type RunStatus } from '../entities';
import type { DataStore, ImportItem } from '../entities/repositories';
import type { ImportOptions, ImportRunReport } from './import-types';

/** Items are written in groups of this size: few round trips, yet a killed import keeps its report so far. */
const ITEM_FLUSH_SIZE = 100;

/**
 * One import run from start to finish: the import_run row, its per-item report, frame totals,
 * progress callbacks, and the final status with its IMPORT_RUN audit event.
 */
export class ImportRunRecorder {
  private readonly items: ImportItem[] = [];
  private pending: ImportItem[] = [];
  private readonly counts: Record<ImportItemStatus, number> = { stored: 0, alreadyStored: 0, skipped: 0, failed: 0 };
  framesStored = 0;
  framesAlreadyStored = 0;
  private readonly startedAt = Date.now();

  private constructor(
    private readonly store: DataStore,
    readonly importRunId: string,
    readonly kind: ImportKind,
    readonly source: string,
    private readonly grant: ClinicGrant,
  ) {}

  static async start(
    store: DataStore,
    kind: ImportKind,
    source: string,
    options: ImportOptions,
  ): Promise<ImportRunRecorder> {
    const { grant } = options;
    const run = await store.importRuns.create({
      clinicId: grant.clinicId,
      kind,
      source,
      requestedBy: grant.actor.userId,
      importSourceId: options.importSourceId ?? null,
    });
    return new ImportRunRecorder(store, run.id, kind, source, grant);
  }

  async add(item: string, status: ImportItemStatus, reason: string | null = null): Promise<void> {
    const result = { item, status, reason };
    this.items.push(result);
    this.pending.push(result);
    this.counts[status] += 1;
    if (this.pending.length >= ITEM_FLUSH_SIZE) await this.flush();
  }

  addFrames(stored: number, alreadyStored: number): void {
    this.framesStored += stored;
    this.framesAlreadyStored += alreadyStored;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // committed at once, so a killed import keeps what it reported
    await this.store.importRuns.appendItems(this.importRunId, batch);
  }

  /** Writes the remaining items, the counts, the status and the audit event in one transaction. */
  async finish(aborted: boolean): Promise<ImportRunReport> {
    const status = this.status(aborted);
    const batch = this.pending;
    this.pending = [];
    await this.store.transaction(async (tx) => {
      await tx.importRuns.appendItems(this.importRunId, batch);
      await tx.importRuns.finish(this.importRunId, status, this.counts);
      await tx.audit.append(this.grant.actor, {
        action: AuditAction.IMPORT_RUN,
        entity: 'import_run',
        entityId: this.importRunId,
        clinicId: this.grant.clinicId,
        detail: {
          kind: this.kind,
          source: this.source,
          status,
          ...this.counts,
          framesStored: this.framesStored,
          framesAlreadyStored: this.framesAlreadyStored,
          aborted,
        },
      });
    });
    return {
      importRunId: this.importRunId,
      kind: this.kind,
      source: this.source,
      status,
      counts: { ...this.counts },
      framesStored: this.framesStored,
      framesAlreadyStored: this.framesAlreadyStored,
      items: [...this.items],
      aborted,
      durationMs: Date.now() - this.startedAt,
    };
  }

  /**
   * Closes the run as FAILED when an unexpected error (database gone, disk error) stops the import,
   * so no run stays RUNNING forever; best effort, the original error is what the caller rethrows.
   */
  async finishAfterError(error: unknown): Promise<void> {
    try {
      await this.add('(import)', 'failed', `stopped by an error: ${(error as Error)?.message ?? String(error)}`);
      await this.finish(true);
    } catch {
      // the database itself may be what failed; the caller reports the original error
    }
  }

  private status(aborted: boolean): RunStatus {
    if (aborted) return 'FAILED';
    if (this.counts.failed === 0) return 'SUCCEEDED';
    const anyGood = IMPORT_ITEM_STATUSES.some((s) => s !== 'failed' && this.counts[s] > 0);
    return anyGood ? 'PARTIAL' : 'FAILED';
  }
}
