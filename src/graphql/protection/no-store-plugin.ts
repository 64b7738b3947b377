import type { ApolloServerPlugin } from '@apollo/server';

/**
 * `Cache-Control: no-store` on every GraphQL response: answers carry patient data and depend on
 * the caller, so no browser or proxy may keep them. Apollo's cache-control plugin used to send the
 * same header, but it also wraps every field's resolver (willResolveField) to compute cache hints
 * the API never declares: ~2,000 calls for one cycle view. It is disabled in api.ts; this sets the
 * header once per response instead.
 */
export function noStorePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
