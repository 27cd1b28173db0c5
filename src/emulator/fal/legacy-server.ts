import type { SourceSpec } from '../http/source-server.js';
import { fastApiError } from './fastapi.js';
import { keyAuthentication } from './keys.js';
import { legacyLogsRoute } from './legacy.js';
import type { FalStore } from './store.js';

/**
 * fal's legacy logs API at the root of its own server, as at rest.alpha.fal.ai: the same keys
 * and the same stored lines as the v1 API, with FastAPI's error envelopes.
 */
export function falLegacySource(
  store: FalStore,
  keys: Record<string, string>,
  now: () => number,
): SourceSpec {
  return {
    source: 'fal',
    error: fastApiError,
    authenticate: keyAuthentication(keys, {
      missing: 'Not authenticated',
      unknown: 'Invalid API key',
    }),
    routes: [
      {
        route: 'logs.legacy',
        method: 'POST',
        path: '/logs/',
        malformed: [{ message: 'cut short' }],
        handle: legacyLogsRoute(store, now),
      },
    ],
  };
}
