import type { ScoringService } from '../inference/scoring/scoring.service';
import type { ImportSourceJob } from './import-source-job';
import type { JobHandler, JobHandlers, MonitorModelsPayload } from './job-registry';

/**
 * One handler per registered job (the type makes a missing one a compile error, the runtime checks
 * again): each passes the payload to its service and nothing more.
 */
export function createJobHandlers(
  scoring: Pick<ScoringService, 'planRun' | 'scoreBatch'>,
  importSources: Pick<ImportSourceJob, 'run'>,
  monitorModels: JobHandler<MonitorModelsPayload>,
): JobHandlers {
  return {
    'score-clinic': (job) => scoring.planRun(job.data, job.id),
    'score-embryos': (job) => scoring.scoreBatch(job.data, job),
    'import-source': (job) => importSources.run(job.data, job.id),
    'monitor-models': monitorModels,
  };
}
