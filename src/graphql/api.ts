import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { Repositories } from '../entities/repositories';
import type { Logger } from '../platform/logger';
import { compiledExecutionGateway, CompiledSerializers } from './compiled-executor';
import { createContextFactory, type ApiContext, type ApiServices, type RequestInfo } from './context';
import { createErrorFormatter } from './format-error';
import { auditFlushPlugin } from './protection/audit-flush-plugin';
import { authenticationPlugin } from './protection/authentication-plugin';
import { complexityLimitPlugin } from './protection/complexity-plugin';
import { depthLimitRule } from './protection/depth-limit';
import { introspectionLimitRule } from './protection/introspection-limit';
import { noStorePlugin } from './protection/no-store-plugin';
import { passwordChangePlugin } from './protection/password-change-plugin';
import { rootFieldLimitRule } from './protection/root-field-limit';
import { buildApiSchema } from './schema';

/** Limits that protect the API from expensive queries (see README). */
export const API_LIMITS = { maxDepth: 10, maxComplexity: 10_000, maxBodyBytes: 100 * 1024, maxRootFields: 20 };

export interface ApiDeps {
  store: Repositories;
  services: ApiServices;
  /** Production: no introspection (unless `introspection`), no schema hints in errors, no landing page. */
  production: boolean;
  /** Schema introspection, for anonymous callers too; default: outside production only. */
  introspection?: boolean;
  log: Logger;
  /** Extra Apollo plugins (the HTTP server adds draining and metrics). */
  plugins?: ApolloServerPlugin<ApiContext>[];
}

export interface Api {
  apollo: ApolloServer<ApiContext>;
  /** Builds the context of one request exactly as the HTTP path does. */
  createContext: (request: RequestInfo) => Promise<ApiContext>;
  services: ApiServices;
}

/** The GraphQL API: schema, authentication, access, protection and error policy, ready to start. */
export async function createApi(deps: ApiDeps): Promise<Api> {
  const { production, log } = deps;
  const introspection = deps.introspection ?? !production;
  const schema = await buildApiSchema();
  const serializers = new CompiledSerializers();
  const apollo = new ApolloServer<ApiContext>({
    // graphql-jit executes (compiled once per document); parsing, validation and plugins stay Apollo's
    gateway: compiledExecutionGateway(schema, serializers),
    stringifyResult: serializers.stringifyResult,
    introspection,
    // "Did you mean …" in validation errors maps the schema for someone without introspection.
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(log),
    // one operation per request (no batched bodies), a bounded number of root fields, credentials once
    allowBatchedHttpRequests: false,
    validationRules: [
      depthLimitRule(API_LIMITS.maxDepth),
      introspectionLimitRule(),
      rootFieldLimitRule(API_LIMITS.maxRootFields),
    ],
    plugins: [
      // first: the read events of the request are written (in one statement) before anything else sees the answer
      auditFlushPlugin(),
      authenticationPlugin({ allowAnonymousIntrospection: introspection }),
      passwordChangePlugin(),
      complexityLimitPlugin(schema, API_LIMITS.maxComplexity, { exemptIntrospection: introspection }),
      // the explorer for integrators is the bundled GraphiQL (src/web), never Apollo's CDN page
      ApolloServerPluginLandingPageDisabled(),
      // no per-field cache hints (a wrapper around every resolver); `no-store` is set once instead
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      ...(deps.plugins ?? []),
    ],
  });
  return {
    apollo,
    createContext: createContextFactory({ store: deps.store, services: deps.services, log }),
    services: deps.services,
  };
}
