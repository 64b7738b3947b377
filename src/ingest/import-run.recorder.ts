import type { ClinicGrant } from '../auth/grants';
import { AuditAction, IMPORT_ITEM_STATUSES, type ImportItemStatus, type ImportKind, type RunStatus } from '../entities';
import type { DataStore, ImportItem } from '../entities/repositories';
import { safeErrorText } from '../platform/safe-error';
import { isConnectionLost, retryAfterReconnect } from '../platform/database/reconnect';
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
    private readonly options: ImportOptions,
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
      leaseId: options.leaseId ?? null,
      importSourceId: options.importSourceId ?? null,
    });
    return new ImportRunRecorder(store, run.id, kind, source, grant, options);
  }

  async add(item: string, status: ImportItemStatus, reason: string | null = null): Promise<void> {
    const result = { item, status, reason };
    this.items.push(result);
    this.pending.push(result);
    this.counts[status] += 1;
    if (this.pending.length >= ITEM_FLUSH_SIZE)
      await this.flush().catch((error: unknown) => {
        // the database is away (a restart): the items stay pending for the next flush or finish
        if (!isConnectionLost(error)) throw error;
      });
  }

  /** The items reported so far. */
  reportedItems(): string[] {
    return this.items.map((i) => i.item);
  }

  addFrames(stored: number, alreadyStored: number): void {
    this.framesStored += stored;
    this.framesAlreadyStored += alreadyStored;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // committed at once, so a killed import keeps what it reported
    try {
      await this.store.importRuns.appendItems(this.importRunId, batch);
    } catch (error) {
      this.pending = [...batch, ...this.pending];
      throw error;
    }
  }

  /**
   * Runs `work` (one unit of work: safe to repeat) and, when the database goes away meanwhile,
   * waits for it as long as the import may (ImportOptions.databaseWaitMs) and runs it again;
   * throws DatabaseUnavailableError when the wait runs out.
   */
  retryingAfterReconnect<T>(work: () => Promise<T>): Promise<T> {
    return retryAfterReconnect(work, () => this.store.clinics.exists(this.grant.clinicId), {
      timeoutMs: this.options.databaseWaitMs ?? 0,
      signal: this.options.signal,
      onWait: this.options.onDatabaseWait,
    });
  }

  /**
   * Writes the remaining items, the counts, the status and the audit event in one transaction
   * (waiting for a database that went away, as long as the import may). When it cannot be written,
   * the report says so (`notSaved`) and is returned all the same.
   */
  async finish(aborted: boolean): Promise<ImportRunReport> {
    const status = this.status(aborted);
    const batch = this.pending;
    let notSaved: string | undefined;
    try {
      await this.retryingAfterReconnect(() => this.save(status, batch, aborted));
      this.pending = [];
    } catch (error) {
      if (!isConnectionLost(error) && (error as Error).name !== 'DatabaseUnavailableError') throw error;
      notSaved = (error as Error).message;
    }
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
      ...(notSaved ? { notSaved } : {}),
    };
  }

  private async save(status: RunStatus, batch: ImportItem[], aborted: boolean): Promise<void> {
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
  }

  /**
   * Closes the run as FAILED when an unexpected error (database gone, disk error) stops the import,
   * so no run stays RUNNING forever; best effort, the original error is what the caller rethrows.
   */
  async finishAfterError(error: unknown): Promise<void> {
    try {
      await this.add('(import)', 'failed', `stopped by an error: ${safeErrorText(error)}`);
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
