import type { DataSource, EntityManager } from 'typeorm';
import { AccountRepository } from './account.repository';
import { AuditRepository } from './audit.repository';
import { ClinicRepository } from './clinic.repository';
import { DicomInstanceRepository } from './dicom-instance.repository';
import { EmbryoRepository } from './embryo.repository';
import { GovernanceRepository } from './governance.repository';
import { ImportRunRepository } from './import-run.repository';
import { ModelRepository } from './model.repository';
import { MonitoringRepository } from './monitoring.repository';
import { PatientCycleRepository } from './patient-cycle.repository';
import { PredictionRepository } from './prediction.repository';
import { ScoringRunRepository } from './scoring-run.repository';

/** Runs statements of another library (the job queue's inserts) inside a unit of work. */
export interface SqlExecutor {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Every repository, bound to one connection or one transaction. */
export class Repositories {
  readonly clinics: ClinicRepository;
  readonly accounts: AccountRepository;
  readonly patientCycles: PatientCycleRepository;
  readonly embryos: EmbryoRepository;
  readonly dicomInstances: DicomInstanceRepository;
  readonly models: ModelRepository;
  readonly predictions: PredictionRepository;
  readonly scoringRuns: ScoringRunRepository;
  readonly importRuns: ImportRunRepository;
  readonly audit: AuditRepository;
  readonly governance: GovernanceRepository;
  readonly monitoring: MonitoringRepository;
  /** For a library that must write in this unit of work (the job queue); never for SQL of our own tables. */
  readonly sql: SqlExecutor;

  constructor(manager: EntityManager) {
    this.clinics = new ClinicRepository(manager);
    this.accounts = new AccountRepository(manager);
    this.patientCycles = new PatientCycleRepository(manager);
    this.embryos = new EmbryoRepository(manager);
    this.dicomInstances = new DicomInstanceRepository(manager);
    this.models = new ModelRepository(manager);
    this.predictions = new PredictionRepository(manager);
    this.scoringRuns = new ScoringRunRepository(manager);
    this.importRuns = new ImportRunRepository(manager);
    this.audit = new AuditRepository(manager);
    this.governance = new GovernanceRepository(manager);
    this.monitoring = new MonitoringRepository(manager);
    this.sql = { query: (text, values) => manager.query(text, values) };
  }
}

/**
 * The data layer of one process: the repositories on the connection pool, and units of work.
 * Services depend on this, never on TypeORM: only the repositories write SQL.
 */
export class DataStore extends Repositories {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource.manager);
  }

  /** Runs `work` in one transaction: everything it writes through `tx` commits or rolls back together. */
  transaction<T>(work: (tx: Repositories) => Promise<T>, options: { isolation?: 'REPEATABLE READ' } = {}): Promise<T> {
    const run = (m: EntityManager) => work(new Repositories(m));
    return options.isolation ? this.dataSource.transaction(options.isolation, run) : this.dataSource.transaction(run);
  }

  /**
   * Runs `work` while holding a session-level advisory lock on `key`, so several processes starting
   * together do it one after the other.
   */
  async exclusively<T>(key: number, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [key]);
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
      await runner.release();
    }
  }
}
