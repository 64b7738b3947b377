import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { fragmentsOf, isIntrospectionOnly, nestingOf } from './selection-nesting';

/**
 * Refuses operations nested deeper than `maxDepth` fields (fragments followed), so no query can
 * walk cycle → embryos → cycle → embryos … without end. Introspection-only operations nest ofType
 * chains deeply by design and have their own limits (introspection-limit.ts).
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        if (isIntrospectionOnly(node)) return;
        const depth = nestingOf(node.selectionSet, fragments, () => 1);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query is nested ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [node] }),
          );
        }
      },
    };
  };
}
