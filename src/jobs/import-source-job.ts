import type { ImportOptions } from '../ingest/import-types';
import type { PrivilegedAccess } from '../auth/privileged-access';
import { AuditAction, type ImportSource } from '../entities';
import type { DataStore } from '../entities/repositories';
import type { SourceScanner, SourceScanResult } from '../ingest/sources/source-import';
import { UserError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { ProcessLease } from './process-lease';
import type { ScoringAfterImport } from './scoring-after-import';

/** One scheduled scan of one import source (the `import-source` job). */
export interface ImportSourcePayload {
  sourceId: string;
  /** ISO time of the scheduler tick that enqueued it. */
  tick?: string;
  /** Take unchanged failed files again (a manual rerun). */
  retryFailed?: boolean;
}

export interface ImportSourceJobResult {
  status: 'scanned' | 'failed' | 'skipped';
  reason?: string;
  importRunIds?: string[];
  filesImported?: number;
  filesWaiting?: number;
  filesUnchanged?: number;
  scoringRunId?: string | null;
}

export interface ImportSourceJobDeps {
  store: DataStore;
  scanner: SourceScanner;
  scoringAfterImport: Pick<ScoringAfterImport, 'request'>;
  system: PrivilegedAccess;
  log: Logger;
  /** Failed scans in a row before the audit event and warning. */
  failureAlertAfter: number;
  /** A scan claim without a process lease (made before claims named one) older than this is a dead worker's. */
  leaseMs: number;
  /**
   * WORKER_LEASE_SECONDS, for the process lease a scan takes when run outside a worker (the CLI's
   * `sources scan`): its claim and import run end with it if the process dies. Default 30.
   */
  processLeaseSeconds?: number;
}

/**
 * What the `import-source` job does: scans the source as the system (audited with user null),
 * records the scan's health on the source, alerts once a failure streak reaches the threshold, and
 * asks for scoring of exactly the embryos of active cycles that got new frames. A scan failure is
 * recorded, not thrown: the next tick is the retry, so the job itself succeeds. The scan's claim on
 * the source names the process lease of the scanning process (the worker's, or one of its own
 * taken for the scan), so a dead scanner blocks the source for a lease time only.
 */
export class ImportSourceJob {
  constructor(private readonly deps: ImportSourceJobDeps) {}

  async run(
    payload: ImportSourcePayload,
    jobId = 'manual',
    process: Pick<ImportOptions, 'leaseId' | 'databaseWaitMs'> = {},
  ): Promise<ImportSourceJobResult> {
    const source = await this.deps.store.importSources.byId(payload.sourceId);
    if (!source) return { status: 'skipped', reason: 'source removed' };
    if (source.paused && payload.tick) return { status: 'skipped', reason: 'source paused' };
    if (process.leaseId) return this.claimAndScan(source, payload, jobId, process);
    const lease = await ProcessLease.take(this.deps.store, {
      role: 'import-source',
      leaseSeconds: this.deps.processLeaseSeconds ?? 30,
      log: this.deps.log,
    });
    try {
      return await this.claimAndScan(source, payload, jobId, { ...process, leaseId: lease.id });
    } finally {
      await lease.release();
    }
  }

  private async claimAndScan(
    source: ImportSource,
    payload: ImportSourcePayload,
    jobId: string,
    process: Pick<ImportOptions, 'leaseId' | 'databaseWaitMs'>,
  ): Promise<ImportSourceJobResult> {
    const { store, log } = this.deps;
    if (!(await store.importSources.claimScan(source.id, process.leaseId ?? null, this.deps.leaseMs)))
      return { status: 'skipped', reason: 'a scan of this source is running' };
    const access = this.deps.system.withRequestId(`import-source:${jobId}`);
    const grant = access.clinic(source.clinicId);
    const sourceLog = log.child({ importSourceId: source.id, clinicId: source.clinicId, tick: payload.tick });
    let result: SourceScanResult;
    try {
      // files skipped for want of their cycle are worth a new try once a cycle sheet was imported
      const retrySkipped = await store.importSources.cyclesImportedSince(source.clinicId, source.lastCheckedAt);
      result = await this.deps.scanner.scan(source, grant, { retryFailed: payload.retryFailed, retrySkipped, process });
    } catch (error) {
      const message =
        error instanceof UserError ? error.message : `scan stopped: ${(error as Error)?.message ?? error}`;
      await this.recordFailure(source.id, source.clinicId, source.name, message, access, sourceLog);
      return { status: 'failed', reason: message };
    }
    const failedRun = result.runs.find((r) => r.status === 'FAILED');
    if (failedRun)
      await this.recordFailure(
        source.id,
        source.clinicId,
        source.name,
        `import run ${failedRun.importRunId} failed`,
        access,
        sourceLog,
      );
    else await store.importSources.recordScan(source.id, { ok: true, error: null });

    const scoringRunId = source.scoreAfterImport
      ? await this.deps.scoringAfterImport.request(grant, result.framesByEmbryo.keys(), sourceLog)
      : null;
    sourceLog.info(
      {
        runs: result.runs.length,
        filesImported: result.filesImported,
        filesWaiting: result.filesWaiting,
        filesUnchanged: result.filesUnchanged,
        embryosWithNewFrames: result.framesByEmbryo.size,
        scoringRunId,
      },
      'import source scanned',
    );
    return {
      status: failedRun ? 'failed' : 'scanned',
      importRunIds: result.runs.map((r) => r.importRunId),
      filesImported: result.filesImported,
      filesWaiting: result.filesWaiting,
      filesUnchanged: result.filesUnchanged,
      scoringRunId,
    };
  }

  private async recordFailure(
    sourceId: string,
    clinicId: string,
    name: string,
    message: string,
    access: PrivilegedAccess,
    log: Logger,
  ): Promise<void> {
    const streak = await this.deps.store.importSources.recordScan(sourceId, { ok: false, error: message });
    log.info({ reason: message, consecutiveFailures: streak }, 'import source scan failed');
    if (streak < this.deps.failureAlertAfter) return;
    log.warn({ reason: message, consecutiveFailures: streak, source: name }, 'import source keeps failing');
    if (streak === this.deps.failureAlertAfter)
      await this.deps.store.audit.append(access.actor, {
        action: AuditAction.IMPORT_SOURCE_FAILING,
        entity: 'import_source',
        entityId: sourceId,
        clinicId,
        detail: { name, consecutiveFailures: streak, lastError: message },
      });
  }
}
