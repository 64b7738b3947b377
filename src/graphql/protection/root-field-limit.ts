import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';
import { fragmentsOf } from './selection-nesting';
import type { FragmentDefinitionNode } from 'graphql';

/**
 * Fields that check a password or mint a token: at most once per operation, so aliases cannot turn
 * one request into many guesses (each would also be one audit row and one rate-limit slot).
 */
export const ONCE_PER_OPERATION = new Set(['login', 'changePassword', 'refreshToken', 'resetUserPassword']);

/** Root fields (aliases included, fragments followed) of one operation. */
function rootFields(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): string[] {
  return set.selections.flatMap((sel) => {
    if (sel.kind === Kind.FIELD) return [sel.name.value];
    if (sel.kind === Kind.INLINE_FRAGMENT) return rootFields(sel.selectionSet, fragments, seen);
    const fragment = fragments.get(sel.name.value);
    if (!fragment || seen.has(sel.name.value)) return [];
    return rootFields(fragment.selectionSet, fragments, new Set([...seen, sel.name.value]));
  });
}

/**
 * Refuses an operation with more than `maxRootFields` root fields, or with a credential field twice.
 * (Batched HTTP requests — several operations in one body — are refused by Apollo: see api.ts.)
 */
export function rootFieldLimitRule(maxRootFields: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const fields = rootFields(node.selectionSet, fragments).filter((f) => f !== '__typename');
        if (fields.length > maxRootFields) {
          context.reportError(
            new GraphQLError(`operation selects ${fields.length} root fields; the limit is ${maxRootFields}`, {
              nodes: [node],
            }),
          );
          return;
        }
        const repeated = [...ONCE_PER_OPERATION].find((f) => fields.filter((g) => g === f).length > 1);
        if (repeated)
          context.reportError(new GraphQLError(`"${repeated}" may appear only once per operation`, { nodes: [node] }));
      },
    };
  };
}
