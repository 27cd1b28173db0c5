import type { SourceSpec } from '../http/source-server.js';
import { difyError } from './errors.js';
import { logsRoute } from './logs.js';
import { runRoute } from './run.js';
import type { DifyStore } from './store.js';

/** Dify's service API under `/v1`, authenticated with `Authorization: Bearer <app key>`. */
export function difySource(store: DifyStore, keys: Record<string, string>): SourceSpec {
  return {
    source: 'dify',
    error: difyError,
    authenticate(authorization) {
      const match = /^Bearer (.+)$/.exec(authorization ?? '');
      if (!match?.[1]) {
        return { rejection: 'The Authorization header must be present and use the Bearer scheme.' };
      }
      const tenant = keys[match[1]];
      return tenant === undefined ? { rejection: 'The access token is not valid.' } : { tenant };
    },
    routes: [
      {
        route: 'workflows.logs',
        method: 'GET',
        path: '/v1/workflows/logs',
        malformed: { page: 1, data: [{ workflow_run: { status: 'succeeded' } }] },
        handle: logsRoute(store),
      },
      {
        route: 'workflows.run',
        method: 'GET',
        path: '/v1/workflows/run/{id}',
        malformed: { status: 'succeeded', outputs: {} },
        handle: runRoute(store),
      },
    ],
  };
}
