import type { DataSource, EntityManager } from 'typeorm';
import { AccountRepository } from './account.repository';
import { AuditChainRepository } from './audit-chain.repository';
import { AuditRepository } from './audit.repository';
import { ClinicRepository } from './clinic.repository';
import { DeviceCredentialRepository } from './device-credential.repository';
import { DicomInstanceRepository } from './dicom-instance.repository';
import { EmbryoRepository } from './embryo.repository';
import { GovernanceRepository } from './governance.repository';
import { ImportRunRepository } from './import-run.repository';
import { InvitationRepository } from './invitation.repository';
import { LoginThrottleRepository } from './login-throttle.repository';
import { ImportSourceRepository } from './import-source.repository';
import { ModelRepository } from './model.repository';
import { MonitoringRepository } from './monitoring.repository';
import { PatientCycleRepository } from './patient-cycle.repository';
import { PredictionRepository } from './prediction.repository';
import { ProcessLeaseRepository } from './process-lease.repository';
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
  readonly importSources: ImportSourceRepository;
  readonly deviceCredentials: DeviceCredentialRepository;
  readonly audit: AuditRepository;
  readonly auditChain: AuditChainRepository;
  readonly loginThrottle: LoginThrottleRepository;
  readonly invitations: InvitationRepository;
  readonly processLeases: ProcessLeaseRepository;
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
    this.importSources = new ImportSourceRepository(manager);
    this.deviceCredentials = new DeviceCredentialRepository(manager);
    this.audit = new AuditRepository(manager);
    this.auditChain = new AuditChainRepository(manager);
    this.loginThrottle = new LoginThrottleRepository(manager);
    this.invitations = new InvitationRepository(manager);
    this.processLeases = new ProcessLeaseRepository(manager);
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
    if (!options.isolation) return this.dataSource.transaction(run);
    return this.withSerializationRetries(() => this.dataSource.transaction(options.isolation!, run));
  }

  /**
   * A REPEATABLE READ transaction that appends to the audit log fails with a serialization error
   * (40001) when another transaction moved the same clinic's chain head after its snapshot was
   * taken (the head is locked and updated per append: migration 1764190003000). Such work reads
   * and then appends, so it is run again on a fresh snapshot, a few times.
   */
  private async withSerializationRetries<T>(attempt: () => Promise<T>, tries = 6): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        const code = (error as { code?: string; driverError?: { code?: string } }).code;
        if (code !== '40001' || i >= tries) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * i));
      }
    }
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
