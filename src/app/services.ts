import type { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { DeviceCredentialsService } from '../auth/device-credentials.service';
import { PrivilegedAccess } from '../auth/privileged-access';
import { AccountLifecycleService } from '../clinic-data/account-lifecycle.service';
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
import { ImportSourcesService } from '../ingest/sources/import-sources.service';
import { SourceScanner } from '../ingest/sources/source-import';
import { ImportSourceJob } from '../jobs/import-source-job';
import { JOB_POLICIES } from '../jobs/job-registry';
import { LazyJobQueue } from '../jobs/lazy-queue';
import { ScoringAfterImport } from '../jobs/scoring-after-import';
import { ScoringRequests } from '../jobs/scoring-requests';
import { SourceScanRequests } from '../jobs/source-scan-requests';
import { dicomFocalPlaneTag, importSourceSettings, type ImportSourceSettings } from '../platform/config';
import { createLogger, type Logger } from '../platform/logger';

/** Every service of the process, built once over one database. */
export interface AppServices {
  store: DataStore;
  accounts: AccountsService;
  /** Temporary passwords, disable/enable, sessions (issue 17). */
  accountLifecycle: AccountLifecycleService;
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
  /** Scoring of the active-cycle embryos an import gave new frames (import sources, STOW-RS). */
  scoringAfterImport: ScoringAfterImport;
  /** Import sources of the clinics (configuration, audited). */
  importSources: ImportSourcesService;
  /** Credentials of devices that push DICOM over STOW-RS. */
  deviceCredentials: DeviceCredentialsService;
  /** One scan of an import source (the `import-source` job; the CLI's "run now"). */
  importSourceScans: ImportSourceJob;
  /** "Scan now" from the API: queues that job for a worker, audited. */
  sourceScanRequests: SourceScanRequests;
  /** The sending side of the job queue (opened on first use, closed by `close`). */
  queue: LazyJobQueue;
  /** Privileged system access, for the CLI and the jobs only: never handed to the API. */
  system: PrivilegedAccess;
  /** Closes what the services opened (the queue client); the database belongs to the caller. */
  close(): Promise<void>;
}

/** The services over an initialised DataSource of the database at `databaseUrl`. */
export function createServices(deps: {
  dataSource: DataSource;
  databaseUrl: string;
  log?: Logger;
  /** Default: IMPORT_ROOTS, IMPORT_SETTLE_SECONDS, IMPORT_FAILURE_ALERT_AFTER of the environment. */
  importSources?: ImportSourceSettings;
}): AppServices {
  const store = new DataStore(deps.dataSource);
  const queue = new LazyJobQueue(deps.databaseUrl, deps.log);
  const sourceSettings = deps.importSources ?? importSourceSettings();
  const imports = new ImportService(store);
  const scoring = new ScoringRequests({ store, queue: () => queue.get() });
  const scoringAfterImport = new ScoringAfterImport({ store, scoring });
  const system = PrivilegedAccess.forSystem(store.clinics);
  const registry = new ModelRegistryService(store);
  const importSources = new ImportSourcesService(store, sourceSettings.roots);
  const evaluation = new EvaluationService(store);
  return {
    store,
    accounts: new AccountsService(store),
    accountLifecycle: new AccountLifecycleService(store),
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
    imports,
    scoring,
    scoringAfterImport,
    importSources,
    sourceScanRequests: new SourceScanRequests({ store, importSources, queue: () => queue.get() }),
    deviceCredentials: new DeviceCredentialsService(store),
    importSourceScans: new ImportSourceJob({
      store,
      scanner: new SourceScanner(store, imports, {
        roots: sourceSettings.roots,
        settleMs: sourceSettings.settleSeconds * 1000,
        focalPlaneTag: dicomFocalPlaneTag(),
      }),
      scoringAfterImport,
      system,
      log: deps.log ?? createLogger('silent'),
      failureAlertAfter: sourceSettings.failureAlertAfter,
      leaseMs: JOB_POLICIES['import-source'].expireInSeconds * 1000,
    }),
    queue,
    system,
    close: () => queue.close(),
  };
}
