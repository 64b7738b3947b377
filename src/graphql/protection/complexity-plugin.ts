import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
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
          const complexity = cachedComplexity(document, request.variables, request.operationName, () =>
            getComplexity({
              schema,
              query: document,
              variables: request.variables,
              operationName: request.operationName,
              estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
            }),
          );
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

/*
 * The cost of an operation depends on its document, its operation name and only those variables
 * that reach a `first` argument or a directive (@skip/@include): nothing else the estimators read.
 * Apollo hands the same parsed document to every request with the same query text, so the cost is
 * computed once per document and such variables, not on every request (it walked the whole
 * document with type information: ~4 % of a cycle view's CPU, bench:api --profile).
 */
const MAX_VARIANTS_PER_DOCUMENT = 64;
const costs = new WeakMap<DocumentNode, { variables: string[]; byKey: Map<string, number> }>();

function cachedComplexity(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  compute: () => number,
): number {
  let entry = costs.get(document);
  if (!entry) {
    entry = { variables: costVariables(document), byKey: new Map() };
    costs.set(document, entry);
  }
  const key = JSON.stringify([operationName ?? null, ...entry.variables.map((v) => variables?.[v] ?? null)]);
  let cost = entry.byKey.get(key);
  if (cost === undefined) {
    cost = compute();
    if (entry.byKey.size >= MAX_VARIANTS_PER_DOCUMENT) entry.byKey.clear();
    entry.byKey.set(key, cost);
  }
  return cost;
}

/** Names of the variables used as a `first` argument or inside a directive's arguments. */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  let inDirective = 0;
  visit(document, {
    Directive: { enter: () => void inDirective++, leave: () => void inDirective-- },
    Argument(node) {
      if (node.name.value !== 'first' && inDirective === 0) return;
      visit(node.value, {
        Variable(v) {
          names.add(v.name.value);
        },
      });
    },
  });
  return [...names].sort();
}
