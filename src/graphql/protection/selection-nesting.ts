import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** How much one field adds to a nesting count: 1 per field for depth, 1 per list field for list nesting. */
export type FieldWeight = (fieldName: string) => number;

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
}

/**
 * The largest sum of field weights along any path of the selection set, following fragments (a
 * fragment cycle is not followed twice: graphql's own rule reports it).
 */
export function nestingOf(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  weight: FieldWeight,
  seen = new Set<string>(),
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD)
      max = Math.max(max, weight(sel.name.value) + nestingOf(sel.selectionSet, fragments, weight, seen));
    else if (sel.kind === Kind.INLINE_FRAGMENT)
      max = Math.max(max, nestingOf(sel.selectionSet, fragments, weight, seen));
    else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      max = Math.max(max, nestingOf(fragments.get(name)?.selectionSet, fragments, weight, new Set([...seen, name])));
    }
  }
  return max;
}

/** An operation that selects only introspection fields (`__schema`, `__type`, `__typename`) at its root. */
export function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
}
