import type { AccountsService } from '../accounts/accounts.service';
import type { DeviceCredentialsService } from '../auth/device-credentials.service';
import { AuthenticationFailed, type Authenticator } from '../auth/authenticator';
import type { LocalTokenSigner } from '../auth/local-tokens';
import type { LoginService } from '../auth/login.service';
import type { AccountLifecycleService } from '../clinic-data/account-lifecycle.service';
import type { AssessmentsService } from '../clinic-data/assessments.service';
import type { CyclesService } from '../clinic-data/cycles.service';
import type { MembershipsService } from '../clinic-data/memberships.service';
import type { OutcomesService } from '../clinic-data/outcomes.service';
import type { PatientsService } from '../clinic-data/patients.service';
import type { Repositories } from '../entities/repositories';
import type { EvaluationService } from '../inference/evaluation/evaluation.service';
import type { AcceptanceGateService } from '../inference/registry/acceptance-gate.service';
import type { ModelRegistryService } from '../inference/registry/model-registry.service';
import type { ImportSourcesService } from '../ingest/sources/import-sources.service';
import type { ModelSuspensionService } from '../inference/registry/model-suspension.service';
import type { ScoringRequests } from '../jobs/scoring-requests';
import type { SourceScanRequests } from '../jobs/source-scan-requests';
import type { Logger } from '../platform/logger';
import { ClinicAccess } from './access/clinic-access';
import { ScopedData } from './access/scoped-data';
import { UnauthenticatedError } from './errors';

/**
 * The services behind the mutations, built once by the composition root (src/app). Whatever
 * changes clinic data takes a grant from `ctx.access` or `ctx.data`, never a caller-chosen id.
 */
export interface ApiServices {
  authenticator: Authenticator;
  login: LoginService;
  tokens: LocalTokenSigner;
  accounts: AccountsService;
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
  scoring: Pick<ScoringRequests, 'request'>;
  importSources: ImportSourcesService;
  sourceScanRequests: Pick<SourceScanRequests, 'request'>;
  deviceCredentials: DeviceCredentialsService;
  /** Reads a model file an administrator placed in the server's model folder. */
  readModelUpload(serverPath: string): Promise<Buffer>;
}

/** What every resolver receives. There is deliberately no DataSource here: reads go through `data`. */
export interface ApiContext {
  requestId: string;
  /** Client address (for login rate limits and audit). */
  address: string;
  access: ClinicAccess;
  data: ScopedData;
  services: ApiServices;
  log: Logger;
}

export interface RequestInfo {
  authorization: string | undefined;
  address: string;
  requestId: string;
}

/** Builds the per-request context; the HTTP path and the tests use this same function. */
export function createContextFactory(deps: { store: Repositories; services: ApiServices; log: Logger }) {
  return async (request: RequestInfo): Promise<ApiContext> => {
    let principal;
    try {
      principal = await deps.services.authenticator.authenticate(request.authorization);
    } catch (error) {
      if (!(error instanceof AuthenticationFailed)) throw error;
      deps.log.info({ requestId: request.requestId, reason: error.message }, 'bearer token refused');
      throw new UnauthenticatedError('invalid or expired token', 401);
    }
    const access = new ClinicAccess(principal, request.requestId, deps.store.clinics);
    return {
      requestId: request.requestId,
      address: request.address,
      access,
      // read events are written together when the answer is ready (audit-flush-plugin; the frame route flushes itself)
      data: new ScopedData(access, deps.store, { auditAtEnd: true }),
      services: deps.services,
      log: deps.log.child({ requestId: request.requestId }),
    };
  };
}
