import type { ClinicGrant } from '../auth/grants';
import type { Repositories } from '../entities/repositories';
import { UserError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { ScoringRequests } from './scoring-requests';

/**
 * "Scoring follows imports": after an import stored new frames, asks for scoring of exactly those of
 * its embryos that are in an ACTIVE cycle (scoring_run.trigger 'import'), so the newest
 * observations are scored minutes after they land. Used by the import-source job and by STOW-RS.
 */
export class ScoringAfterImport {
  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'importSources'>;
      scoring: Pick<ScoringRequests, 'request'>;
    },
  ) {}

  /**
   * The scoring run requested, or null when none of the embryos is in an active cycle or the clinic
   * cannot score now (no active model, scoring suspended: logged, the nightly run catches up).
   */
  async request(grant: ClinicGrant, embryoIds: Iterable<string>, log: Logger): Promise<string | null> {
    const candidates = [...new Set(embryoIds)];
    if (candidates.length === 0) return null;
    const active = await this.deps.store.importSources.embryosInActiveCycles(grant.clinicId, candidates);
    if (active.length === 0) return null;
    try {
      return (await this.deps.scoring.request(grant, { embryoIds: active }, 'import')).id;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      log.info({ reason: error.message }, 'no scoring after import');
      return null;
    }
  }
}
