import type { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { PrivilegedAccess } from '../auth/privileged-access';
import { AssessmentsService } from '../clinic-data/assessments.service';
import { CyclesService } from '../clinic-data/cycles.service';
import { MembershipsService } from '../clinic-data/memberships.service';
import { OutcomesService } from '../clinic-data/outcomes.service';
import { PatientsService } from '../clinic-data/patients.service';
import { DataStore } from '../entities/repositories';
import { EvaluationService } from '../inference/evaluation/evaluation.service';
import { DatasetExportService } from '../inference/export/dataset-export.service';
import { AcceptanceGateService } from '../inference/registry/acceptance-gate.service';
import { ModelRegistryService } from '../inference/registry/model-registry.service';
import { ModelSuspensionService } from '../inference/registry/model-suspension.service';
import { ImportService } from '../ingest/import.service';
import { LazyJobQueue } from '../jobs/lazy-queue';
import { ScoringRequests } from '../jobs/scoring-requests';
import type { Logger } from '../platform/logger';

/** Every service of the process, built once over one database. */
export interface AppServices {
  store: DataStore;
  accounts: AccountsService;
  patients: PatientsService;
  cycles: CyclesService;
  outcomes: OutcomesService;
  assessments: AssessmentsService;
  memberships: MembershipsService;
  registry: ModelRegistryService;
  suspension: ModelSuspensionService;
  acceptance: AcceptanceGateService;
  evaluation: EvaluationService;
  exports: DatasetExportService;
  imports: ImportService;
  scoring: ScoringRequests;
  /** The sending side of the job queue (opened on first use, closed by `close`). */
  queue: LazyJobQueue;
  /** Privileged system access, for the CLI and the jobs only: never handed to the API. */
  system: PrivilegedAccess;
  /** Closes what the services opened (the queue client); the database belongs to the caller. */
  close(): Promise<void>;
}

/** The services over an initialised DataSource of the database at `databaseUrl`. */
export function createServices(deps: { dataSource: DataSource; databaseUrl: string; log?: Logger }): AppServices {
  const store = new DataStore(deps.dataSource);
  const queue = new LazyJobQueue(deps.databaseUrl, deps.log);
  const registry = new ModelRegistryService(store);
  const evaluation = new EvaluationService(store);
  return {
    store,
    accounts: new AccountsService(store),
    patients: new PatientsService(store),
    cycles: new CyclesService(store),
    outcomes: new OutcomesService(store),
    assessments: new AssessmentsService(store),
    memberships: new MembershipsService(store),
    registry,
    suspension: new ModelSuspensionService(store),
    acceptance: new AcceptanceGateService(store, evaluation, registry),
    evaluation,
    exports: new DatasetExportService(store),
    imports: new ImportService(store),
    scoring: new ScoringRequests({ store, queue: () => queue.get() }),
    queue,
    system: PrivilegedAccess.forSystem(store.clinics),
    close: () => queue.close(),
  };
}
