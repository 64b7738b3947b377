import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { ApiContext } from '../context';
import { UnauthenticatedError } from '../errors';

/** The only operations a caller without a token may run. */
export const PUBLIC_ROOT_FIELDS = new Set(['health', 'login', '__typename']);

/**
 * Refuses, before execution, any operation of a caller without a valid token that selects a root
 * field besides `health` and `login` (introspection too, outside development). Resolvers check again
 * through ClinicAccess, which throws UNAUTHENTICATED without a principal.
 */
export function authenticationPlugin(options: {
  allowAnonymousIntrospection: boolean;
}): ApolloServerPlugin<ApiContext> {
  const allowed = new Set(PUBLIC_ROOT_FIELDS);
  if (options.allowAnonymousIntrospection) ['__schema', '__type'].forEach((f) => allowed.add(f));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (contextValue.access.authenticated) return;
          if (!operation || rootFieldNames(operation).some((name) => !allowed.has(name)))
            throw new UnauthenticatedError('authentication required', 401);
        },
      };
    },
  };
}

function rootFieldNames(operation: OperationDefinitionNode): string[] {
  // root fields may come through fragments; a fragment at the root counts as non-public
  return operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '…fragment'));
}
