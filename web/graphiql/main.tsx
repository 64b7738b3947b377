import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import './graphiql.css';

/**
 * GraphiQL for integrators, served by `amsnet serve` at GET /graphql in development only (never in
 * production, where introspection is off too). Everything is bundled: no CDN.
 */
const fetcher = async (params: unknown, options?: { headers?: Record<string, string> }) => {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options?.headers },
    body: JSON.stringify(params),
  });
  return response.json();
};

const DEFAULT_QUERY = `# Sign in first (login needs no token), then put the token into Headers:
#   { "Authorization": "Bearer <token>" }
mutation SignIn {
  login(email: "admin@example.org", password: "…") { token expiresAt }
}

query Cycles {
  cycles(first: 10) { edges { node { id externalId status inseminationAt } } }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={DEFAULT_QUERY}
    defaultHeaders={'{\n  "Authorization": "Bearer <token>"\n}'}
    isHeadersEditorEnabled
  />,
);
