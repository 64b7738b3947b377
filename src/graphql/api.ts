import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import type { DataSource } from 'typeorm';
import { Authenticator } from '../auth/authenticator';
import { LocalTokenSigner } from '../auth/local-tokens';
import { LoginRateLimiter, type LoginRateLimits } from '../auth/login-rate-limiter';
import { LoginService } from '../auth/login.service';
import { OidcVerifier } from '../auth/oidc-verifier';
import type { AppConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { ApiServices, createContextFactory, type ApiContext, type RequestInfo } from './context';
import { createErrorFormatter } from './format-error';
import { authenticationPlugin } from './protection/authentication-plugin';
import { complexityLimitPlugin } from './protection/complexity-plugin';
import { depthLimitRule } from './protection/depth-limit';
import { introspectionLimitRule } from './protection/introspection-limit';
import { buildApiSchema } from './schema';
import { jobsScoringRequester, type ScoringRequester } from './services/scoring-requester';

/** Limits that protect the API from expensive queries (see README). */
export const API_LIMITS = { maxDepth: 10, maxComplexity: 10_000, maxBodyBytes: 100 * 1024 };

export interface ApiDeps {
  dataSource: DataSource;
  config: Pick<AppConfig, 'production' | 'jwtTtlSeconds' | 'oidc'>;
  jwtSecret: string;
  log: Logger;
  /** Where requestScoring goes; default: src/jobs/scoring-requests.ts. */
  scoringRequester?: ScoringRequester;
  databaseUrl?: string;
  loginRateLimits?: LoginRateLimits;
  /** Extra Apollo plugins (the HTTP server adds draining). */
  plugins?: ApolloServerPlugin<ApiContext>[];
}

export interface Api {
  apollo: ApolloServer<ApiContext>;
  /** Builds the context of one request exactly as the HTTP path does. */
  createContext(request: RequestInfo): Promise<ApiContext>;
  services: ApiServices;
  tokens: LocalTokenSigner;
}

/** The GraphQL API: schema, authentication, access, protection and error policy, ready to start. */
export async function createApi(deps: ApiDeps): Promise<Api> {
  const { dataSource, config, log } = deps;
  const tokens = new LocalTokenSigner(deps.jwtSecret, config.jwtTtlSeconds);
  const oidc = config.oidc ? new OidcVerifier(config.oidc) : undefined;
  const authenticator = new Authenticator(dataSource, tokens, oidc);
  const login = new LoginService(dataSource, tokens, new LoginRateLimiter(deps.loginRateLimits));
  const services = new ApiServices(
    dataSource, login, tokens, authenticator, deps.scoringRequester ?? jobsScoringRequester({ dataSource, databaseUrl: deps.databaseUrl }),
  );
  const schema = await buildApiSchema();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log),
    validationRules: [depthLimitRule(API_LIMITS.maxDepth), introspectionLimitRule()],
    plugins: [
      authenticationPlugin({ allowAnonymousIntrospection: !config.production }),
      complexityLimitPlugin(schema, API_LIMITS.maxComplexity, { exemptIntrospection: !config.production }),
      // the explorer for integrators is the bundled GraphiQL (src/web), never Apollo's CDN page
      ApolloServerPluginLandingPageDisabled(),
      ...(deps.plugins ?? []),
    ],
  });
  return { apollo, createContext: createContextFactory({ dataSource, authenticator, services, log }), services, tokens };
}
