import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { FalRequestExpansion, FalRequestItem, GatewayContext } from '../../context.js';
import { requireCredential } from '../errors.js';
import { BoundedMap, loadEach } from '../loaders.js';

/** A request row with the expansions it was read with: only those fields of it are known. */
export interface LoadedFalRequest {
  item: FalRequestItem;
  expansions: readonly FalRequestExpansion[];
}

export interface FalRequestLookup {
  /** Endpoint or app ids to look in; a bare `owner/name` covers the app's routes. */
  endpointIds: readonly string[];
  requestId: string;
  expansions: readonly FalRequestExpansion[];
}

/** Lookups of single requests in flight at once for one GraphQL request. */
const LOOKUP_CONCURRENCY = 4;

/** Requests remembered per GraphQL request; a long live tail forgets the oldest. */
const REMEMBERED_REQUESTS = 1000;

interface RequestCache {
  /** Every request this GraphQL request has read, by request id. */
  known: BoundedMap<string, LoadedFalRequest>;
  loader: DataLoader<FalRequestLookup, LoadedFalRequest | null, string>;
}

/** Per GraphQL request, so nothing read with one credential reaches another. */
const requestCache = createContextCache((context: GatewayContext): RequestCache => ({
  known: new BoundedMap(REMEMBERED_REQUESTS),
  loader: new DataLoader((lookups) => lookUp(context, lookups), {
    cacheKeyFn: lookupKey,
    cacheMap: new BoundedMap(REMEMBERED_REQUESTS),
  }),
}));

export function appIdOf(endpointId: string): string {
  return endpointId.split('/').slice(0, 2).join('/');
}

export function hasExpansions(
  request: LoadedFalRequest,
  expansions: readonly FalRequestExpansion[],
): boolean {
  return expansions.every((expansion) => request.expansions.includes(expansion));
}

/** Keeps requests read in pages, so that lines and refetches find them without a call. */
export function rememberRequests(
  context: GatewayContext,
  requests: readonly LoadedFalRequest[],
): void {
  const { known } = requestCache(context);
  for (const request of requests) {
    const earlier = known.get(request.item.request_id);
    known.set(request.item.request_id, earlier ? merged(earlier, request) : request);
  }
}

/** The newer read, keeping what only the earlier one expanded. */
function merged(earlier: LoadedFalRequest, later: LoadedFalRequest): LoadedFalRequest {
  const expansions = [...new Set([...earlier.expansions, ...later.expansions])];
  return { item: { ...earlier.item, ...later.item }, expansions };
}

/** A request this GraphQL request has already read. */
export function knownRequest(
  context: GatewayContext,
  requestId: string,
): LoadedFalRequest | undefined {
  return requestCache(context).known.get(requestId);
}

/**
 * One request by id within the given endpoints, or null when the upstream has none; distinct
 * lookups run at most LOOKUP_CONCURRENCY at a time and each runs once per GraphQL request.
 */
export function loadFalRequest(
  context: GatewayContext,
  lookup: FalRequestLookup,
): Promise<LoadedFalRequest | null> {
  const known = knownRequest(context, lookup.requestId);
  if (
    known &&
    hasExpansions(known, lookup.expansions) &&
    lookup.endpointIds.some(
      (id) => id === known.item.endpoint_id || id === appIdOf(known.item.endpoint_id),
    )
  ) {
    return Promise.resolve(known);
  }
  requireCredential(context, 'fal');
  return requestCache(context).loader.load(lookup);
}

function lookupKey(lookup: FalRequestLookup): string {
  return JSON.stringify([
    [...lookup.endpointIds].sort(),
    lookup.requestId,
    [...lookup.expansions].sort(),
  ]);
}

async function lookUp(
  context: GatewayContext,
  lookups: readonly FalRequestLookup[],
): Promise<(LoadedFalRequest | null | Error)[]> {
  const authorization = requireCredential(context, 'fal');
  // The upstream takes one request_id per call; without `start` it searches the last 90 days.
  return loadEach(lookups, LOOKUP_CONCURRENCY, async (lookup) => {
    const page = await context.upstreams.fal.requestsByEndpoint(
      authorization,
      {
        endpointIds: lookup.endpointIds,
        requestId: lookup.requestId,
        expand: lookup.expansions,
        page: 1,
        limit: 1,
      },
      context.call,
    );
    const item = page.items[0];
    if (!item) return null;
    const loaded = { item, expansions: lookup.expansions };
    rememberRequests(context, [loaded]);
    return loaded;
  });
}
