import type { Plugin } from 'graphql-yoga';

/**
 * `GET /` answers with one line saying where the API is, rather than an empty 404, for whoever
 * opens the gateway's address without a path.
 */
export function useRootPointer(graphqlEndpoint: string, graphiql: boolean): Plugin {
  const pointer = graphiql
    ? `AI logs gateway: GraphQL is at ${graphqlEndpoint} (open it in a browser for GraphiQL).\n`
    : `AI logs gateway: GraphQL is at ${graphqlEndpoint}.\n`;
  return {
    onRequest(payload) {
      const { request, url, fetchAPI } = payload;
      if (url.pathname !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      payload.endResponse(
        new fetchAPI.Response(pointer, {
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
      );
    },
  };
}
