import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { AppMetrics } from './metrics';

/** The operation's first root field (a name the schema defines), or a fixed word. */
function rootFieldOf(operation: OperationDefinitionNode | undefined): string {
  if (!operation) return 'unknown';
  const first = operation.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : 'fragment';
}

/**
 * Apollo plugin timing each GraphQL operation by its first root field and type. Operation names are
 * chosen by clients (unbounded: one series each, memory growth from anonymous requests), so the
 * label is a root field of the schema instead, which validation has already checked: the set of
 * series is bounded by the schema. Requests that fail before an operation is resolved
 * (parse/validation errors) count as "unknown" with outcome "error".
 */
export function graphqlMetricsPlugin(metrics: AppMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const stop = metrics.graphqlOperationDuration.startTimer();
      return {
        async willSendResponse(ctx) {
          const failed =
            (ctx.errors?.length ?? 0) > 0 ||
            (ctx.response.body.kind === 'single' && (ctx.response.body.singleResult.errors?.length ?? 0) > 0);
          stop({
            operation: rootFieldOf(ctx.operation),
            type: ctx.operation?.operation ?? 'unknown',
            outcome: failed ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
