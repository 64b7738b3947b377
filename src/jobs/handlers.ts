import type { DataSource } from 'typeorm';
import type { EmbryoScoringService, ScoringObserver } from '../../inference/scoring/embryo-scoring.service';
import type { ScoringRunsService } from '../../inference/scoring/scoring-runs.service';
import type { Logger } from '../../platform/logger';
import type { JobHandlers } from '../job-registry';
import type { JobQueue } from '../job-queue';
import { scoreClinicHandler } from './score-clinic.handler';
import { scoreEmbryosHandler } from './score-embryos.handler';

export interface HandlerDeps {
  dataSource: DataSource;
  queue: JobQueue;
  runs: ScoringRunsService;
  scoring: EmbryoScoringService;
  log: Logger;
  embryosPerJob: number;
  observer?: ScoringObserver;
}

/** One handler per registered job (the type makes a missing one a compile error, the runtime checks again). */
export function createJobHandlers(deps: HandlerDeps): JobHandlers {
  return {
    'score-clinic': scoreClinicHandler(deps),
    'score-embryos': scoreEmbryosHandler(deps),
  };
}
