import type { ClinicGrant } from '../auth/grants';
import { AuditAction } from '../entities';
import type { DataStore } from '../entities/repositories';
import type { ImportSourcesService } from '../ingest/sources/import-sources.service';
import { UserError } from '../platform/errors';
import type { JobQueue } from './job-queue';

/**
 * "Scan now" for an import source (the clinic ADMIN, from the API): queues the same `import-source`
 * job a scheduler tick queues, in one transaction with its audit event, so the scan runs on a
 * worker and not in the request. Asking twice is harmless: a scan that finds another scan of the
 * source running is skipped, and one after it finds only files it has not seen.
 */
export class SourceScanRequests {
  constructor(
    private readonly deps: {
      store: DataStore;
      importSources: Pick<ImportSourcesService, 'toChange'>;
      queue: () => Promise<JobQueue>;
    },
  ) {}

  /** The queued job's id. Throws RecordNotFound for another clinic's source, a UserError for a paused one. */
  async request(grant: ClinicGrant, sourceId: string, options: { retryFailed?: boolean } = {}): Promise<string> {
    const source = await this.deps.importSources.toChange(grant, sourceId);
    if (source.paused) throw new UserError('the source is paused: resume it first');
    const retryFailed = options.retryFailed === true;
    const queue = await this.deps.queue();
    return this.deps.store.transaction(async (tx) => {
      const jobId = await queue.send('import-source', { sourceId: source.id, retryFailed }, { tx });
      if (!jobId) throw new Error('the scan job was not created');
      await tx.audit.append(grant.actor, {
        action: AuditAction.IMPORT_SOURCE_SCAN_REQUESTED,
        entity: 'import_source',
        entityId: source.id,
        clinicId: source.clinicId,
        detail: { jobId, retryFailed },
      });
      return jobId;
    });
  }
}
