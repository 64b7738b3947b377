import type { ApolloServerPlugin } from '@apollo/server';
import type { AppMetrics } from './metrics';

/**
 * Apollo plugin timing each GraphQL operation by its name and type. Anonymous operations share the
 * label "anonymous"; requests that fail before an operation is resolved (parse/validation errors)
 * count as type "unknown" with outcome "error".
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
            operation: ctx.operationName ?? (ctx.operation ? 'anonymous' : 'unknown'),
            type: ctx.operation?.operation ?? 'unknown',
            outcome: failed ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
