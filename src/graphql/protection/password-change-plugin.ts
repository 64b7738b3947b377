import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import type { ApiContext } from '../context';
import { PasswordChangeRequiredError } from '../errors';

/** What a caller signed in with a temporary password may still do: replace it, and see who it is. */
export const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['changePassword', 'me', 'health', 'login', '__typename']);

/**
 * A first-start or reset password is known to someone else (the operator's console, the resetting
 * administrator): until the user replaces it, every other operation is refused before execution.
 * The frame route checks the same flag (frame-image.route.ts).
 */
export function passwordChangePlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (!contextValue.access.authenticated || !contextValue.access.principal.mustChangePassword) return;
          if (!operation) throw new PasswordChangeRequiredError();
          const names = operation.selectionSet.selections.map((s) =>
            s.kind === Kind.FIELD ? s.name.value : '…fragment',
          );
          if (names.some((name) => !ALLOWED_BEFORE_PASSWORD_CHANGE.has(name))) throw new PasswordChangeRequiredError();
        },
      };
    },
  };
}
