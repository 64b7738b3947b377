import cron, { type ScheduledTask } from 'node-cron';
import type { ImportSource } from '../entities';
import type { Repositories } from '../entities/repositories';
import { deterministicUuid } from '../platform/ids';
import type { Logger } from '../platform/logger';
import type { JobQueue } from './job-queue';
import { tickKey, type Scheduler } from './scheduler';

export interface ImportSourceSchedulerDeps {
  store: Pick<Repositories, 'importSources'>;
  queue: Pick<JobQueue, 'send'>;
  log: Logger;
  /** How often sources are looked at; default every minute (each source's own cron decides). */
  cronExpression?: string;
}

const EVERY_MINUTE = '* * * * *';

/** Whether a source's five-field schedule names the minute of `at` (local time, as node-cron). */
export function scheduleMatches(schedule: string, at: Date): boolean {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  let task: ScheduledTask | undefined;
  try {
    task = cron.createTask(schedule, () => undefined);
    return task.match(minute);
  } catch {
    return false; // validated when saved; a bad row must not stop the other sources
  } finally {
    void task?.destroy();
  }
}

/**
 * Enqueues one `import-source` job per unpaused source whose schedule names this minute. The job
 * id comes from (source, minute), so however many schedulers tick at once, each source's scan
 * exists once per tick. Returns how many jobs this call created.
 */
export async function enqueueImportSourceTick(
  deps: Pick<ImportSourceSchedulerDeps, 'store' | 'queue' | 'log'>,
  scheduledAt: Date,
): Promise<number> {
  const minute = new Date(Math.floor(scheduledAt.getTime() / 60_000) * 60_000);
  const tick = tickKey(minute);
  const due: ImportSource[] = (await deps.store.importSources.active()).filter((s) =>
    scheduleMatches(s.schedule, minute),
  );
  let created = 0;
  for (const source of due) {
    const key = `${source.id}@${tick}`;
    const id = await deps.queue.send(
      'import-source',
      { sourceId: source.id, tick },
      { id: deterministicUuid(`import-source:${key}`), singletonKey: key },
    );
    if (id) created++;
  }
  if (due.length > 0) deps.log.info({ tick, due: due.length, created }, 'import source tick');
  return created;
}

/** Looks at the sources every minute; a failed tick is logged and the next one tries again. */
export function startImportSourceScheduler(deps: ImportSourceSchedulerDeps): Scheduler {
  const cronExpression = deps.cronExpression ?? EVERY_MINUTE;
  const task = cron.schedule(
    cronExpression,
    async (context) => {
      try {
        await enqueueImportSourceTick(deps, context.date);
      } catch (error) {
        deps.log.error({ err: error }, 'import source tick failed');
      }
    },
    { noOverlap: true, name: 'amsnet-import-sources' },
  );
  deps.log.info({ cron: cronExpression }, 'import source scheduler started');
  return { stop: async () => void (await task.destroy()) };
}
