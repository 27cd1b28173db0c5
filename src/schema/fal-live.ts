import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import { tailFalLogs } from '../live/fal-tail.js';
import { fromMillis } from '../time.js';
import type { FalLogLine } from '../upstreams/fal/types.js';
import { builder } from './builder.js';
import { requireCredential } from './errors.js';
import { falFilterParams, FalLogFilterInput, FalLogLineRef } from './fal-logs.js';

builder.subscriptionField('falLogs', (t) =>
  t.field({
    type: FalLogLineRef,
    description:
      'A live tail of fal logs, oldest first as lines arrive. Without `filter.since` it starts now; with it, history from `since` is replayed first and the tail then continues live. With `filter.until` it completes there. An upstream drop is resumed without a gap or a repeat; when the upstream stays unreachable, the last event is an error and the subscription completes.',
    args: { filter: t.arg({ type: FalLogFilterInput }) },
    subscribe: (_root, args, context) =>
      tailFalLogs({
        client: context.upstreams.fal,
        authorization: requireCredential(context, 'fal'),
        filter: falFilterParams(args.filter),
        start: args.filter?.since ?? fromMillis(Date.now()),
        end: args.filter?.until ?? undefined,
        signal: AbortSignal.any([context.signal, context.shutdown]),
        requestId: context.call.requestId,
        settings: context.tail,
        logger: context.logger,
        lifecycle: context.metrics.subscription,
      }),
    resolve: (payload: FalLogLine | Error, _args, context) => {
      if (payload instanceof Error) throw payload;
      // Each event is its own unit of work: a long tail must not accumulate loaded requests.
      clearAllDataLoaders(context);
      return payload;
    },
  }),
);
