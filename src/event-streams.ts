import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Proxies such as nginx buffer responses unless told not to, which would hold back live lines. */
function useUnbufferedEventStreams(): Plugin {
  return {
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        response.headers.set('x-accel-buffering', 'no');
      }
    },
  };
}

/**
 * A subscription refused before it starts (no credential, bad input) yields `{ errors }` with
 * no `data` key, which graphql-sse's handler does not recognise as a result; give it one so
 * the client receives the errors instead of a protocol failure.
 */
function useRefusedSubscriptionsAsResults(): Plugin {
  return {
    onSubscribe: () => ({
      onSubscribeResult({ result, setResult }) {
        if (!isAsyncIterable(result) && !('data' in result)) setResult({ ...result, data: null });
      },
    }),
  };
}

/**
 * Subscriptions over server-sent events: graphql-sse's distinct-connections mode on the
 * GraphQL endpoint (graphql-yoga's own) and its single-connection mode on `streamEndpoint`.
 */
export function useEventStreams(streamEndpoint: string): Plugin[] {
  return [
    useGraphQLSSE({ endpoint: streamEndpoint }),
    useRefusedSubscriptionsAsResults(),
    useUnbufferedEventStreams(),
  ];
}
