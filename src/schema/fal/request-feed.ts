import type {
  FalRequestChange,
  FalRequestFeedFilter,
  GatewayContext,
  TailFailure,
} from '../../context.js';
import { MAX_REPLAYED_REQUESTS } from '../../read-bounds.js';
import { builder } from '../builder.js';
import { requireCredential } from '../errors.js';
import { handedChange, refuseLiveEnd, feedRequestOf, RunChangeEnum } from '../live-events.js';
import { FalRequestRef } from './requests.js';
import type { LoadedFalRequest } from './request-loader.js';
import { endpointIdsOptions, FalRequestFilterInput, STATUS_CLASS } from './requests.js';

/** The request of a change, as FalRequest reads it: without expansions, read when selected. */
export const changedRequest = (change: FalRequestChange): LoadedFalRequest => ({
  item: change.request,
  expansions: [],
});

const FalRequestEventRef = builder.objectRef<FalRequestChange>('FalRequestEvent').implement({
  description: 'A fal request that started (first seen pending) or finished.',
  fields: (t) => ({
    change: t.field({ type: RunChangeEnum, resolve: (event) => event.change }),
    request: t.field({
      type: FalRequestRef,
      description:
        'The request as the feed saw it. `input`, `output` and `billableUnits` cost one upstream call per event when selected.',
      resolve: changedRequest,
    }),
  }),
});

type FalRequestStatus = keyof typeof STATUS_CLASS | 'PENDING';

/** Endpoints and a status as a live feed reads them: distinct and sorted, so identical feeds share. */
export function falRequestFeedFilter(
  endpointIds: readonly string[],
  status: FalRequestStatus | null | undefined,
  requestId?: string | null,
): FalRequestFeedFilter {
  return {
    endpointIds: [...new Set(endpointIds)].sort(),
    status: status && status !== 'PENDING' ? STATUS_CLASS[status] : undefined,
    requestId: requestId ?? undefined,
  };
}

builder.subscriptionField('falRequests', (t) =>
  t.field({
    type: FalRequestEventRef,
    description:
      'Requests of the given fal endpoints as they start and finish, by polling the requests API every `FAL_REQUESTS_POLL_INTERVAL_MS`: STARTED when a request is first seen pending, FINISHED when its end is first seen (also when first seen already finished), each once. Without `filter.since` the feed starts now (requests pending then are followed to their end); with it, the requests sent from `since` come first, in the order they happened (at most ' +
      String(MAX_REPLAYED_REQUESTS) +
      ' of them). `filter.until` is refused; with `filter.status` (not PENDING) only the requests that end in it are delivered. Feeds without `since` that share a credential and arguments share one poller. Upstream failures are retried; after `TAIL_RECONNECT_ATTEMPTS` in a row the last event is the error.',
    args: {
      endpointIds: t.arg.stringList(endpointIdsOptions),
      filter: t.arg({ type: FalRequestFilterInput }),
    },
    subscribe: (_root, args, context) => {
      refuseLiveEnd(args.filter?.until, 'filter.until', 'Query.falRequests');
      const filter = falRequestFeedFilter(
        args.endpointIds,
        args.filter?.status,
        args.filter?.requestId,
      );
      const authorization = requireCredential(context, 'fal');
      return context.falRequestFeed({
        authorization,
        filter,
        since: args.filter?.since ?? undefined,
        ...feedRequestOf(context),
      });
    },
    resolve: (event: FalRequestChange | TailFailure, _args, context: GatewayContext) =>
      handedChange(event, context),
  }),
);
