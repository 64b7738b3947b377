import type { DataSource } from 'typeorm';
import type { ScoringRun } from '../entities';
import * as repo from '../inference/scoring/scoring.repository';
import { AuditAction } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { UserError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { sharedJobQueue } from './shared-queue';
import { isUuid } from '../platform/ids';

export interface ScoringRequest {
  clinicId: string;
  cycleId?: string;
  embryoIds?: string[];
  requestedBy: string | null;
  trigger: 'request' | 'cli' | 'cron';
}


/**
 * Creates a QUEUED scoring_run and enqueues its planning job, in one transaction (with its audit
 * event): a request is either fully queued or not at all. Callers check access first. Throws a
 * UserError when the clinic has no active model or the scope names nothing of the clinic.
 */
export async function requestScoring(
  deps: { dataSource: DataSource; databaseUrl?: string; log?: Logger },
  input: ScoringRequest,
): Promise<ScoringRun> {
  const ids = [input.clinicId, input.cycleId, ...(input.embryoIds ?? [])].filter((x): x is string => x !== undefined);
  if (ids.some((id) => !isUuid(id))) throw new UserError('scoring request: clinic, cycle and embryo ids must be UUIDs');
  if (input.embryoIds && input.embryoIds.length === 0) throw new UserError('scoring request: the embryo list is empty');
  const m = deps.dataSource.manager;
  const active = await repo.findActiveModel(m, input.clinicId);
  if (!active) throw new UserError('this clinic has no active model: an administrator must register and activate one before scoring');
  const inScope = await repo.embryoProgress(m, { clinicId: input.clinicId, cycleId: input.cycleId, embryoIds: input.embryoIds, activeCyclesOnly: false }, active.modelVersionId);
  if (input.cycleId && inScope.length === 0) throw new UserError('scoring request: no such cycle with embryos in this clinic');
  if (input.embryoIds && inScope.length !== new Set(input.embryoIds).size) throw new UserError('scoring request: some embryos do not exist in this clinic');

  const url = deps.databaseUrl ?? databaseUrlOf(deps.dataSource);
  const queue = await sharedJobQueue(url, deps.log);
  const scope = { clinicId: input.clinicId, ...(input.cycleId ? { cycleId: input.cycleId } : {}), ...(input.embryoIds ? { embryoIds: input.embryoIds } : {}) };
  return deps.dataSource.transaction(async (tx) => {
    const run = await repo.insertScoringRun(tx, { clinicId: input.clinicId, modelVersionId: active.modelVersionId, trigger: input.trigger, requestedBy: input.requestedBy, scope });
    if (!run) throw new Error('scoring run was not created');
    await queue.send('score-clinic', { clinicId: input.clinicId, scoringRunId: run.id, cycleId: input.cycleId, embryoIds: input.embryoIds }, { tx, id: run.id });
    await writeAudit(tx, { userId: input.requestedBy }, {
      action: AuditAction.SCORING_REQUESTED,
      entity: 'scoring_run',
      entityId: run.id,
      clinicId: input.clinicId,
      detail: { trigger: input.trigger, scope, modelVersionId: active.modelVersionId },
    });
    return run;
  });
}

function databaseUrlOf(dataSource: DataSource): string {
  const url = (dataSource.options as { url?: string }).url;
  if (!url) throw new Error('requestScoring needs the database URL (deps.databaseUrl)');
  return url;
}
