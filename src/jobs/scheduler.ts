import cron, { type ScheduledTask } from 'node-cron';
import type { Repositories } from '../entities/repositories';
import { deterministicUuid } from '../platform/ids';
import type { Logger } from '../platform/logger';
import type { JobQueue } from './job-queue';

export interface SchedulerDeps {
  store: Pick<Repositories, 'models'>;
  queue: JobQueue;
  log: Logger;
  cronExpression: string;
  timezone?: string;
}

/** A tick's identity: its scheduled time to the second (several processes ticking together agree on it). */
export function tickKey(scheduledAt: Date): string {
  return new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000).toISOString();
}

/**
 * Enqueues one score-clinic job per clinic with an active model for this tick. The job id is
 * derived from (clinic, tick), so however many `serve` processes tick at once, each clinic's job
 * exists once. Returns how many jobs this call created.
 */
export async function enqueueScoringTick(
  deps: Pick<SchedulerDeps, 'store' | 'queue' | 'log'>,
  scheduledAt: Date,
): Promise<number> {
  const tick = tickKey(scheduledAt);
  const { active: clinics, shadows } = await deps.store.models.scoredModels();
  let created = 0;
  for (const clinicId of clinics) {
    const id = await deps.queue.send(
      'score-clinic',
      { clinicId, tick },
      { id: deterministicUuid(`score-clinic:${clinicId}:${tick}`), singletonKey: `${clinicId}@${tick}` },
    );
    if (id) created++;
  }
  // Silent-mode models are scored beside the active one, each in its own run.
  for (const { clinicId, modelVersionId } of shadows) {
    const key = `${clinicId}:${modelVersionId}@${tick}`;
    const id = await deps.queue.send(
      'score-clinic',
      { clinicId, tick, shadowModelVersionId: modelVersionId },
      { id: deterministicUuid(`score-clinic:${key}`), singletonKey: key },
    );
    if (id) created++;
  }
  // the nightly model monitoring, once per tick (not counted: the count is of scoring jobs)
  await deps.queue.send(
    'monitor-models',
    { tick },
    { id: deterministicUuid(`monitor-models:${tick}`), singletonKey: `monitor@${tick}` },
  );
  deps.log.info({ tick, clinics: clinics.length, shadowModels: shadows.length, created }, 'scoring tick');
  return created;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** Runs enqueueScoringTick on SCORING_CRON. A failed tick is logged; the next one tries again. */
export function startScoringScheduler(deps: SchedulerDeps): Scheduler {
  const task: ScheduledTask = cron.schedule(
    deps.cronExpression,
    async (context) => {
      try {
        await enqueueScoringTick(deps, context.date);
      } catch (error) {
        deps.log.error({ err: error }, 'scoring tick failed');
      }
    },
    { timezone: deps.timezone, noOverlap: true, name: 'amsnet-scoring' },
  );
  deps.log.info({ cron: deps.cronExpression }, 'scoring scheduler started');
  return { stop: async () => void (await task.destroy()) };
}
