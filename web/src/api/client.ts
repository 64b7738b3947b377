import type { TypedDocumentString } from './generated';

/** An error the API answered (its message is meant for people), or a network failure. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface Credentials {
  /** Undefined: the request goes without Authorization, for a reverse proxy that adds the IdP's token. */
  token: string | undefined;
  onUnauthenticated(): void;
}

let credentials: Credentials = { token: undefined, onUnauthenticated: () => {} };

/** Set by the session (app/session.ts) whenever the token changes. */
export function setCredentials(next: Credentials): void {
  credentials = next;
}

export function authorizationHeaders(token = credentials.token): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * Runs one typed operation against the same-origin API. The first error of the answer is thrown
 * as an ApiError; UNAUTHENTICATED (token expired or revoked) also ends the session.
 */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: { token?: string | null; signal?: AbortSignal } = {},
): Promise<TResult> {
  const token = options.token === null ? undefined : (options.token ?? credentials.token);
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authorizationHeaders(token) },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('The server cannot be reached. Check the network and try again.', 'NETWORK');
  }
  let body: GraphQLResponse<TResult>;
  try {
    body = (await response.json()) as GraphQLResponse<TResult>;
  } catch {
    throw new ApiError(`The server answered ${response.status} without a readable body.`, 'BAD_RESPONSE');
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED' && options.token === undefined) credentials.onUnauthenticated();
    throw new ApiError(first.message, code);
  }
  if (!body.data) throw new ApiError('The server answered without data.', 'BAD_RESPONSE');
  return body.data;
}

/** Words for an error, for people: another clinic's record answers NOT_FOUND like a missing one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NOT_FOUND') return 'Not found: it does not exist, or it is not in a clinic of yours.';
    if (error.code === 'FORBIDDEN') return `Not allowed: ${error.message}`;
    return error.message;
  }
  return 'Something went wrong. Reload the page and try again.';
}
