import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiContext } from '../context';
import { ErrorCode } from '../errors';

/**
 * Writes the request's read events (collected by ScopedData, see `auditAtEnd`) in one statement
 * before the response leaves the server. When they cannot be written, nothing that was read leaves:
 * the whole answer becomes an internal error (500), as a read whose audit failed always did.
 * Listed first among the plugins, so the metrics of the request see the outcome.
 */
export function auditFlushPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          try {
            await contextValue.data.flushAudit();
          } catch (error) {
            contextValue.log.error({ err: error }, 'audit events of a read could not be written: answer withheld');
            response.http.status = 500;
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [{ message: 'internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
              },
            };
          }
        },
      };
    },
  };
}
