import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, type ScoringRun } from '../entities';
import type { DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { isUuid } from '../platform/ids';
import type { JobQueue } from './job-queue';

/** What to score in the grant's clinic: a cycle, some embryos, or (neither) every embryo due. */
export interface ScoringScope {
  cycleId?: string;
  embryoIds?: string[];
}

/**
 * Who asked: a user through the API, the operator at the command line, an import source whose
 * scan stored new frames. The scheduler makes its own runs.
 */
export type ScoringTrigger = 'request' | 'cli' | 'import';

/**
 * Scoring requests: a QUEUED scoring_run and its planning job, created in one transaction with the
 * SCORING_REQUESTED audit event, so a request is either fully queued or not at all.
 */
export class ScoringRequests {
  constructor(private readonly deps: { store: DataStore; queue: () => Promise<JobQueue> }) {}

  /**
   * Throws a UserError when the clinic has no active model or the scope names nothing of the
   * clinic (LAB_WORK in the grant's clinic).
   */
  async request(grant: ClinicGrant, scope: ScoringScope, trigger: ScoringTrigger): Promise<ScoringRun> {
    const { clinicId } = ClinicGrant.check(grant, Permission.LAB_WORK);
    const { store } = this.deps;
    const ids = [clinicId, scope.cycleId, ...(scope.embryoIds ?? [])].filter((x): x is string => x !== undefined);
    if (ids.some((id) => !isUuid(id)))
      throw new UserError('scoring request: clinic, cycle and embryo ids must be UUIDs');
    if (scope.embryoIds && scope.embryoIds.length === 0)
      throw new UserError('scoring request: the embryo list is empty');
    if (await store.governance.scoringSuspended(clinicId))
      throw new UserError('scoring is suspended in this clinic: an administrator must resume it first');
    const active = await store.models.activeClinicModel(clinicId);
    if (!active)
      throw new UserError(
        'this clinic has no active model: an administrator must register and activate one before scoring',
      );
    const inScope = await store.embryos.progress(
      { clinicId, cycleId: scope.cycleId, embryoIds: scope.embryoIds, activeCyclesOnly: false },
      active.modelVersionId,
    );
    if (scope.cycleId && inScope.length === 0)
      throw new UserError('scoring request: no such cycle with embryos in this clinic');
    if (scope.embryoIds && inScope.length !== new Set(scope.embryoIds).size)
      throw new UserError('scoring request: some embryos do not exist in this clinic');

    const queue = await this.deps.queue();
    const recorded = {
      clinicId,
      ...(scope.cycleId ? { cycleId: scope.cycleId } : {}),
      ...(scope.embryoIds ? { embryoIds: scope.embryoIds } : {}),
    };
    return store.transaction(async (tx) => {
      const run = await tx.scoringRuns.insert({
        clinicId,
        modelVersionId: active.modelVersionId,
        trigger,
        requestedBy: grant.actor.userId,
        scope: recorded,
      });
      if (!run) throw new Error('scoring run was not created');
      await queue.send(
        'score-clinic',
        { clinicId, scoringRunId: run.id, cycleId: scope.cycleId, embryoIds: scope.embryoIds },
        { tx, id: run.id },
      );
      await tx.audit.append(grant.actor, {
        action: AuditAction.SCORING_REQUESTED,
        entity: 'scoring_run',
        entityId: run.id,
        clinicId,
        detail: { trigger, scope: recorded, modelVersionId: active.modelVersionId },
      });
      return run;
    });
  }
}
