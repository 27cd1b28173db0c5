import { createContextCache } from '@pothos/core';
import type { FalApp, GatewayContext } from '../../context.js';
import { requireCredential } from '../errors.js';

/** How long a live tail keeps an apps list (a failed read included) before reading it again. */
const LIVE_APPS_TTL_MS = 60_000;

interface AppsRead {
  apps: Promise<readonly FalApp[]>;
  startedAt: number;
}

/**
 * Per GraphQL request (for a subscription: per tail), by credential: the apps list is never
 * served to another request or another key.
 */
const appsReads = createContextCache((): Map<string, AppsRead> => new Map());

/**
 * The `owner/name` ids of the key's apps called `appName`; empty when the key owns none. A query
 * reads the list at most once; a live tail keeps it for LIVE_APPS_TTL_MS, so new apps show up
 * and a failed read is retried, at a cost bounded by time rather than by lines.
 */
export async function ownedAppIds(
  context: GatewayContext,
  appName: string,
  live: boolean,
): Promise<string[]> {
  const authorization = requireCredential(context, 'fal');
  const reads = appsReads(context);
  let read = reads.get(authorization);
  if (!read || (live && Date.now() - read.startedAt >= LIVE_APPS_TTL_MS)) {
    read = {
      apps: context.upstreams.fal.apps(authorization, {}, context.call).then(({ apps }) => apps),
      startedAt: Date.now(),
    };
    reads.set(authorization, read);
  }
  const apps = await read.apps;
  return apps.filter((app) => app.name === appName).map((app) => app.endpoint_id);
}
