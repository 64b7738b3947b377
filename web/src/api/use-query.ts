import { useCallback, useEffect, useRef, useState } from 'react';
import { execute } from './client';
import type { TypedDocumentString } from './generated';

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs a query when the component mounts and whenever its variables change; the previous request
 * is aborted. `skip` waits (e.g. for a clinic to be chosen).
 */
export function useQuery<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TResult> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: TResult; error?: unknown; loading: boolean; key?: string }>({
    loading: !options.skip,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(variables);
  latest.current = variables;

  useEffect(() => {
    if (options.skip) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    execute(document, latest.current, { signal: controller.signal }).then(
      (data) => setState({ data, loading: false, key }),
      (error: unknown) => {
        if ((error as Error)?.name !== 'AbortError') setState({ error, loading: false, key });
      },
    );
    return () => controller.abort();
  }, [document, key, generation, options.skip]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // data of other variables is not shown as if it were this one's
  const data = state.key === key ? state.data : undefined;
  return {
    data,
    error: state.key === key ? state.error : undefined,
    loading: state.loading || (!options.skip && state.key !== key),
    reload,
  };
}

/** A mutation's state for a form: run it, show its error, know when it is in flight. */
export function useMutation<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>) {
  const [state, setState] = useState<{ running: boolean; error?: unknown }>({ running: false });
  const run = useCallback(
    async (variables: TVariables): Promise<TResult | undefined> => {
      setState({ running: true });
      try {
        const result = await execute(document, variables);
        setState({ running: false });
        return result;
      } catch (error) {
        setState({ running: false, error });
        return undefined;
      }
    },
    [document],
  );
  return { run, running: state.running, error: state.error, clearError: () => setState({ running: false }) };
}
