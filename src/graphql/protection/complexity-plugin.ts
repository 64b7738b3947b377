import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from '../pagination';
import { isIntrospectionOnly } from './selection-nesting';

/** Typical length of a list without paging: embryos of a cycle, memberships, trajectory points are counted at 12. */
const UNPAGED_LIST_LENGTH = 12;

/**
 * Paged fields (those with a `first` argument) multiply their children's cost by the page size
 * asked for (default page size when left out); their `edges` are then not multiplied again. Other
 * list fields multiply by a typical length.
 */
const listEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  if (field.args.some((a) => a.name === 'first'))
    return 1 + childComplexity * (typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE);
  if (field.name === 'edges') return childComplexity;
  if (String(field.type).startsWith('[')) return 1 + childComplexity * UNPAGED_LIST_LENGTH;
  return undefined;
};

/**
 * Computes each operation's cost from the query and its variables (so `first: 100` counts) and
 * refuses it above `maximum` before anything runs. With `exemptIntrospection` (where introspection
 * is enabled), introspection-only operations are not estimated: their shape is limited instead
 * (introspection-limit.ts).
 */
export function complexityLimitPlugin(
  schema: GraphQLSchema,
  maximum: number,
  options: { exemptIntrospection?: boolean } = {},
): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (options.exemptIntrospection && operation && isIntrospectionOnly(operation)) return;
          const complexity = getComplexity({
            schema,
            query: document,
            variables: request.variables,
            operationName: request.operationName,
            estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > maximum) {
            throw new GraphQLError(
              `query is too complex (${complexity}; the limit is ${maximum}): ask for fewer items per page`,
              {
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
              },
            );
          }
        },
      };
    },
  };
}
