import type { DataSource } from 'typeorm';
import { AuthenticationFailed, Authenticator } from '../auth/authenticator';
import type { LocalTokenSigner } from '../auth/local-tokens';
import type { LoginService } from '../auth/login.service';
import { AccountsService } from '../accounts/accounts.service';
import { CyclesService } from '../clinic-data/cycles.service';
import { MembershipsService } from '../clinic-data/memberships.service';
import { OutcomesService } from '../clinic-data/outcomes.service';
import { PatientsService } from '../clinic-data/patients.service';
import type { CheckedClinic } from '../clinic-data/grant';
import type { ScoringRun } from '../entities';
import type { Logger } from '../platform/logger';
import { ClinicAccess } from './access/clinic-access';
import { ReadAuditor } from './access/read-audit';
import { ScopedData } from './access/scoped-data';
import { UnauthenticatedError } from './errors';
import { createRequestLoaders, type RequestLoaders } from './loaders/request-loaders';
import type { ScoringRequester } from './services/scoring-requester';

/** Services shared by all requests. They take checked grants, never a caller-chosen clinic id. */
export class ApiServices {
  readonly accounts: AccountsService;
  readonly patients: PatientsService;
  readonly cycles: CyclesService;
  readonly outcomes: OutcomesService;
  readonly memberships: MembershipsService;
  private readonly extra = new Map<Function, unknown>();

  constructor(
    private readonly dataSource: DataSource,
    readonly login: LoginService,
    readonly tokens: LocalTokenSigner,
    readonly authenticator: Authenticator,
    private readonly scoringRequester: ScoringRequester,
  ) {
    this.accounts = new AccountsService(dataSource);
    this.patients = new PatientsService(dataSource);
    this.cycles = new CyclesService(dataSource);
    this.outcomes = new OutcomesService(dataSource);
    this.memberships = new MembershipsService(dataSource);
  }

  /**
   * Queues scoring for a checked clinic. The jobs module writes the run, the queue entry and the
   * SCORING_REQUESTED audit event in one transaction.
   */
  requestScoring(clinic: CheckedClinic, scope: { cycleId?: string; embryoIds?: string[] }): Promise<ScoringRun> {
    return this.scoringRequester({ clinicId: clinic.clinicId, ...scope, requestedBy: clinic.actor.userId, trigger: 'request' });
  }

  /**
   * One shared instance of a service class constructed from the DataSource, for resolvers of
   * other areas (e.g. the model registry): `ctx.services.get(ModelRegistryService)`. Its methods
   * must take a ClinicGrant (from ctx.access) for anything clinic-scoped.
   */
  get<T>(Service: new (dataSource: DataSource) => T): T {
    if (!this.extra.has(Service)) this.extra.set(Service, new Service(this.dataSource));
    return this.extra.get(Service) as T;
  }
}

/** What every resolver receives. There is deliberately no DataSource here: reads go through `data`/`loaders`. */
export interface ApiContext {
  requestId: string;
  /** Client address (for login rate limits and audit). */
  address: string;
  access: ClinicAccess;
  data: ScopedData;
  loaders: RequestLoaders;
  auditRead: ReadAuditor;
  services: ApiServices;
  log: Logger;
}

export interface RequestInfo {
  authorization: string | undefined;
  address: string;
  requestId: string;
}

/** Builds the per-request context; the HTTP path and the tests use this same function. */
export function createContextFactory(deps: { dataSource: DataSource; authenticator: Authenticator; services: ApiServices; log: Logger }) {
  return async (request: RequestInfo): Promise<ApiContext> => {
    let principal;
    try {
      principal = await deps.authenticator.authenticate(request.authorization);
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) throw error;
      deps.log.info({ requestId: request.requestId, reason: error.message }, 'bearer token refused');
      throw new UnauthenticatedError('invalid or expired token', 401);
    }
    const access = new ClinicAccess(principal, request.requestId, deps.dataSource);
    return {
      requestId: request.requestId,
      address: request.address,
      access,
      data: new ScopedData(access, deps.dataSource),
      loaders: createRequestLoaders(deps.dataSource, access),
      auditRead: new ReadAuditor(deps.dataSource, access),
      services: deps.services,
      log: deps.log.child({ requestId: request.requestId }),
    };
  };
}
