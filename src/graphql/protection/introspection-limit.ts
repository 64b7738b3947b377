import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { fragmentsOf, isIntrospectionOnly, nestingOf } from './selection-nesting';

/** Introspection fields that return lists: their nesting, not the depth, is what multiplies the work. */
const INTROSPECTION_LISTS = new Set([
  'types',
  'fields',
  'args',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'directives',
]);

/**
 * The standard introspection query (graphql-js getIntrospectionQuery, what GraphiQL and codegen
 * send) is 15 fields deep with lists nested 3 deep (types → fields → args).
 */
export const INTROSPECTION_LIMITS = { maxDepth: 15, maxListNesting: 3 };

/**
 * Introspection-only operations are exempt from the cost estimate (which counts every list as 12
 * items and would refuse the standard query), so they are bounded by shape instead: at most
 * `maxDepth` fields deep and `maxListNesting` lists inside lists. A crafted query such as
 * types → fields → type → fields → type → fields → … is refused at its fourth list, which keeps
 * the work bounded by the size of the schema.
 */
export function introspectionLimitRule(limits = INTROSPECTION_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        if (!isIntrospectionOnly(node)) return;
        const depth = nestingOf(node.selectionSet, fragments, () => 1);
        const lists = nestingOf(node.selectionSet, fragments, (name) => (INTROSPECTION_LISTS.has(name) ? 1 : 0));
        if (depth > limits.maxDepth || lists > limits.maxListNesting) {
          context.reportError(
            new GraphQLError(
              `introspection query is nested ${depth} levels deep with lists ${lists} deep; the limits are ${limits.maxDepth} and ${limits.maxListNesting}`,
              { nodes: [node] },
            ),
          );
        }
      },
    };
  };
}
