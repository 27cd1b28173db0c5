import type { SourceSpec } from '../http/source-server.js';
import { appsRoute } from './apps.js';
import { falError } from './errors.js';
import { historyRoute } from './history.js';
import { keyAuthentication } from './keys.js';
import { requestsRoute } from './requests.js';
import type { FalStore } from './store.js';
import { streamRoute } from './stream.js';
import type { OpenStreams } from './stream.js';

export interface FalServerOptions {
  store: FalStore;
  keys: Record<string, string>;
  now: () => number;
  streams: OpenStreams;
  keepAliveMs: number;
}

/** fal's platform API under `/v1`, authenticated with `Authorization: Key <key>`. */
export function falSource({
  store,
  keys,
  now,
  streams,
  keepAliveMs,
}: FalServerOptions): SourceSpec {
  return {
    source: 'fal',
    error: falError,
    authenticate: keyAuthentication(keys, {
      missing: "Send the API key as 'Authorization: Key <key>'",
      unknown: 'The API key is not valid',
    }),
    routes: [
      {
        route: 'logs.history',
        method: 'POST',
        path: '/v1/serverless/logs/history',
        malformed: { items: [{ message: 'cut short' }], has_more: false },
        handle: historyRoute(store, now),
      },
      {
        route: 'logs.stream',
        method: 'POST',
        path: '/v1/serverless/logs/stream',
        malformed: undefined,
        handle: streamRoute({ store, now, streams, keepAliveMs }),
      },
      {
        route: 'requests.byEndpoint',
        method: 'GET',
        path: '/v1/serverless/requests/by-endpoint',
        malformed: { items: [{ endpoint_id: 'cut/short' }], has_more: false },
        handle: requestsRoute(store, now),
      },
      {
        route: 'apps.list',
        method: 'GET',
        path: '/v1/serverless/apps',
        malformed: { apps: [{ name: 'cut-short' }] },
        handle: appsRoute(store),
      },
    ],
  };
}
