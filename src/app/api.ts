import type { ApolloServerPlugin } from '@apollo/server';
import { Authenticator } from '../auth/authenticator';
import { LocalTokenSigner } from '../auth/local-tokens';
import { LoginRateLimiter, type LoginRateLimits } from '../auth/login-rate-limiter';
import { LoginService } from '../auth/login.service';
import { OidcVerifier } from '../auth/oidc-verifier';
import { createApi, type Api } from '../graphql/api';
import type { ApiContext, ApiServices } from '../graphql/context';
import { readModelUpload } from '../inference/registry/model-files';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { AppServices } from './services';

export interface ApiWiring {
  services: AppServices;
  config: Pick<AppConfig, 'production' | 'jwtTtlSeconds' | 'oidc' | 'dataDir'> &
    Partial<Pick<AppConfig, 'graphqlIntrospection' | 'sessionMaxAgeSeconds' | 'loginRateLimits'>>;
  jwtSecret: string;
  log: Logger;
  loginRateLimits?: LoginRateLimits;
  /** Where requestScoring goes; default: the job queue. */
  scoring?: ApiServices['scoring'];
  plugins?: ApolloServerPlugin<ApiContext>[];
}

/** The GraphQL API with its authentication and the application's services (never privileged access). */
export function buildApi(wiring: ApiWiring): Promise<Api> {
  const { services, config, log } = wiring;
  const tokens = new LocalTokenSigner(wiring.jwtSecret, config.jwtTtlSeconds, config.sessionMaxAgeSeconds);
  const oidc = config.oidc ? new OidcVerifier(config.oidc) : undefined;
  const api: ApiServices = {
    authenticator: new Authenticator(services.store.accounts, tokens, oidc),
    login: new LoginService(
      services.store,
      tokens,
      new LoginRateLimiter(services.store, wiring.loginRateLimits ?? config.loginRateLimits),
    ),
    tokens,
    accounts: services.accounts,
    accountLifecycle: services.accountLifecycle,
    patients: services.patients,
    cycles: services.cycles,
    outcomes: services.outcomes,
    assessments: services.assessments,
    suspension: services.suspension,
    acceptance: services.acceptance,
    memberships: services.memberships,
    registry: services.registry,
    evaluation: services.evaluation,
    scoring: wiring.scoring ?? services.scoring,
    importSources: services.importSources,
    sourceScanRequests: services.sourceScanRequests,
    deviceCredentials: services.deviceCredentials,
    readModelUpload: (serverPath) => readModelUpload(config.dataDir, serverPath),
  };
  return createApi({
    store: services.store,
    services: api,
    production: config.production,
    introspection: config.graphqlIntrospection,
    log,
    plugins: wiring.plugins,
  });
}
