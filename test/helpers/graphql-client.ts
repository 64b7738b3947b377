import type { DataSource } from 'typeorm';
import { createApi, type Api } from '../../src/graphql/api';
import type { ScoringRequester } from '../../src/graphql/services/scoring-requester';
import type { LoginRateLimits } from '../../src/auth/login-rate-limiter';
import type { OidcConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import type { User } from '../../src/entities';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: readonly (string | number)[] }[];
}

export interface TestApi {
  api: Api;
  /** Runs one operation in-process, with a context built exactly as the HTTP path builds it. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: User | string | null, requestId?: string): Promise<GqlResult<T>>;
  tokenFor(user: User): Promise<string>;
  stop(): Promise<void>;
}

/** The real API (schema, plugins, access layer) over the test file's database. */
export async function createTestApi(
  dataSource: DataSource,
  options: { scoringRequester?: ScoringRequester; loginRateLimits?: LoginRateLimits; oidc?: OidcConfig; production?: boolean } = {},
): Promise<TestApi> {
  const api = await createApi({
    dataSource,
    config: { production: options.production ?? false, jwtTtlSeconds: 600, oidc: options.oidc },
    jwtSecret: TEST_JWT_SECRET,
    log: createLogger('silent'),
    scoringRequester: options.scoringRequester,
    loginRateLimits: options.loginRateLimits,
  });
  await api.apollo.start();
  let requests = 0;
  const tokenFor = async (user: User) => (await api.tokens.issue(user.id)).token;
  return {
    api,
    tokenFor,
    async gql(query, variables, as, requestId) {
      const token = as === null || as === undefined ? undefined : typeof as === 'string' ? as : await tokenFor(as);
      const contextValue = await api.createContext({
        authorization: token ? `Bearer ${token}` : undefined, address: '127.0.0.1', requestId: requestId ?? `test-${++requests}`,
      });
      const response = await api.apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
      return JSON.parse(JSON.stringify(response.body.singleResult));
    },
    stop: () => api.apollo.stop(),
  };
}

/** The error codes of a result, in order ([] when it succeeded). */
export const codes = (result: GqlResult): string[] => (result.errors ?? []).map((e) => String(e.extensions?.code));
