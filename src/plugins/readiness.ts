import type { FetchAPI, Plugin } from 'graphql-yoga';

/**
 * Answers `endpoint` with 200 when `check` says ready, 503 when not, or the response `check`
 * gives. (graphql-yoga's `useReadinessCheck` matches every request's URL against a URL pattern
 * first, which cost each GraphQL request several microseconds.)
 */
export function useReadiness(
  endpoint: string,
  check: (fetchAPI: FetchAPI) => boolean | Response,
): Plugin {
  return {
    onRequest(payload) {
      const { url, fetchAPI } = payload;
      if (url.pathname !== endpoint) return;
      const ready = check(fetchAPI);
      payload.endResponse(
        typeof ready === 'object'
          ? ready
          : new fetchAPI.Response(null, { status: ready ? 200 : 503 }),
      );
    },
  };
}
