import { z } from 'zod';
import { sendOk } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { collectParams } from '../params.js';
import type { FalStore } from './store.js';
import type { FalApp } from './wire.js';

/** The spec types all three as free strings: no value is rejected, unknown expansions are ignored. */
const params = z.object({
  environment: z.string().default('main'),
  search: z
    .string()
    .transform((search) => search.toLowerCase())
    .default(''),
  expand: z.array(z.string()).default([]),
});

/**
 * `GET /serverless/apps`: the key's own apps in one environment whose name contains `search`
 * (case-insensitive), in one unpaged list; `expand=endpoints` adds the route-level endpoint ids.
 */
export function appsRoute(store: FalStore) {
  return (ex: Exchange, tenant: string): void => {
    const query = params.parse(collectParams(ex.call.query, Object.keys(params.shape), ['expand']));
    const withEndpoints = query.expand.includes('endpoints');
    const apps = store
      .apps(tenant)
      .filter(
        (app) =>
          app.environment === query.environment && app.name.toLowerCase().includes(query.search),
      );
    sendOk(ex, { apps: apps.map((app) => present(app, withEndpoints)) });
  };
}

function present(app: FalApp, withEndpoints: boolean) {
  return {
    endpoint_id: app.id,
    name: app.name,
    owner: app.owner,
    environment: app.environment,
    ...app.settings,
    updated_at: app.updatedAt,
    ...(withEndpoints && { endpoints: app.endpoints }),
  };
}
