import { buildApi } from '../../src/app/api';
import type { LoginRateLimits } from '../../src/auth/login-rate-limiter';
import type { ScoringRun, User } from '../../src/entities';
import type { Api } from '../../src/graphql/api';
import type { OidcConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import type { TestDatabase } from './database';

/** A stand-in for the job queue's scoring requests: gets what the API asked for, already access-checked. */
export type ScoringRequester = (input: {
  clinicId: string;
  cycleId?: string;
  embryoIds?: string[];
  requestedBy: string | null;
  trigger: 'request' | 'cli' | 'import';
}) => Promise<ScoringRun>;

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface GqlResult<T = any> {
  data?: T;
  errors?: {
    message: string;
    extensions?: { code?: string } & Record<string, unknown>;
    path?: readonly (string | number)[];
  }[];
}

export interface TestApi {
  api: Api;
  /** Runs one operation in-process, with a context built exactly as the HTTP path builds it. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    as?: User | string | null,
    requestId?: string,
  ): Promise<GqlResult<T>>;
  tokenFor(user: User): Promise<string>;
  stop(): Promise<void>;
}

/** The real API (schema, plugins, access layer, services) over the test file's database. */
export async function createTestApi(
  db: Pick<TestDatabase, 'services'>,
  options: {
    scoringRequester?: ScoringRequester;
    loginRateLimits?: LoginRateLimits;
    oidc?: OidcConfig;
    production?: boolean;
    dataDir?: string;
    sessionMaxAgeSeconds?: number;
    /** The client address every request of this API comes from (login rate limit per address). */
    address?: string;
  } = {},
): Promise<TestApi> {
  const requester = options.scoringRequester;
  const api = await buildApi({
    services: db.services,
    config: {
      production: options.production ?? false,
      jwtTtlSeconds: 600,
      oidc: options.oidc,
      dataDir: options.dataDir ?? '/nonexistent',
      sessionMaxAgeSeconds: options.sessionMaxAgeSeconds,
    },
    jwtSecret: TEST_JWT_SECRET,
    log: createLogger('silent'),
    scoring: requester && {
      request: (grant, scope, trigger) =>
        requester({ clinicId: grant.clinicId, ...scope, requestedBy: grant.actor.userId, trigger }),
    },
    loginRateLimits: options.loginRateLimits,
  });
  await api.apollo.start();
  let requests = 0;
  // a token of the user's current version (a test that revokes keeps the old token string itself)
  const tokenFor = async (user: User) => {
    const tokenVersion = (await db.services.store.accounts.user(user.id))?.tokenVersion ?? 0;
    return (await api.services.tokens.issue(user.id, { tokenVersion })).token;
  };
  return {
    api,
    tokenFor,
    async gql(query, variables, as, requestId) {
      const token = as === null || as === undefined ? undefined : typeof as === 'string' ? as : await tokenFor(as);
      const contextValue = await api.createContext({
        authorization: token ? `Bearer ${token}` : undefined,
        address: options.address ?? '127.0.0.1',
        requestId: requestId ?? `test-${++requests}`,
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
