import type { Command } from 'commander';
import type { AccountsService } from '../accounts/accounts.service';
import type { AccountLifecycleService } from '../clinic-data/account-lifecycle.service';
import type { DeviceCredentialsService } from '../auth/device-credentials.service';
import type { PrivilegedAccess } from '../auth/privileged-access';
import type { SeedDemoLabRequest } from '../demo/demo-lab.service';
import type { DataStore } from '../entities/repositories';
import type { EvaluationService } from '../inference/evaluation/evaluation.service';
import type { DatasetExportService } from '../inference/export/dataset-export.service';
import type { ModelRegistryService } from '../inference/registry/model-registry.service';
import type { ImportService } from '../ingest/import.service';
import type { ImportSourcesService } from '../ingest/sources/import-sources.service';
import type { ImportSourceJob } from '../jobs/import-source-job';
import type { ScoringRequests } from '../jobs/scoring-requests';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';

/** What `serve`, `start` and `worker` run in one process. */
export interface ServeOptions {
  http: boolean;
  worker: boolean;
  scheduler: boolean;
  firstStart: boolean;
  /** Seed the demo lab after creating the first-start admin (`start` only). */
  demo?: boolean;
}

/** The services a command uses. The CLI is the operator: it acts through privileged system access. */
export interface CliServices {
  store: DataStore;
  accounts: AccountsService;
  accountLifecycle: AccountLifecycleService;
  imports: ImportService;
  registry: ModelRegistryService;
  evaluation: EvaluationService;
  exports: DatasetExportService;
  scoring: ScoringRequests;
  importSources: ImportSourcesService;
  importSourceScans: Pick<ImportSourceJob, 'run'>;
  deviceCredentials: DeviceCredentialsService;
  system: PrivilegedAccess;
}

/** One command's view of the application: config, logger, services over an open database. */
export interface CliContext {
  config: AppConfig;
  log: Logger;
  services: CliServices;
  migrations: {
    apply(): Promise<string[]>;
    /** Reverts the newest migration; one that would drop the audit log needs `dropAuditLog`. */
    revertLast(options?: { dropAuditLog?: boolean }): Promise<void>;
  };
  /** Runs a scoring worker in this process until stopped (`score --work`). */
  startWorker(): Promise<{ stop(): Promise<void> }>;
  /** Seeds the demo lab, printing its steps and where to look. */
  runDemo(request: SeedDemoLabRequest, print: (text: string) => void): Promise<void>;
}

/** What the composition root (src/app) gives the commands. */
export interface CliRuntime {
  /** Opens the database (migrated unless told otherwise), runs `fn`, and closes everything when it settles. */
  withApp<T>(
    fn: (app: CliContext) => Promise<T>,
    options?: { migrate?: boolean; logLevel?: AppConfig['logLevel'] },
  ): Promise<T>;
  serve(options: ServeOptions): Promise<void>;
}

/** A command module adds its commands (with --help text) to the program. */
export type RegisterCommands = (program: Command, runtime: CliRuntime) => void;
