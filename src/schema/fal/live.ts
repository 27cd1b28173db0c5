import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { FalTailEvent, GatewayContext } from '../../context.js';
import { failureError } from '../live-events.js';
import { fromMillis } from '../../time.js';
import { builder } from '../builder.js';
import { requireCredential } from '../errors.js';
import { legacyRefusal } from './legacy-refusals.js';
import { falFilterParams, FalLogFilterInput, FalLogLineRef } from './logs.js';

builder.subscriptionField('falLogs', (t) =>
  t.field({
    type: FalLogLineRef,
    description:
      'A live tail of fal logs, oldest first as lines arrive. Without `filter.since` it starts now; with it, history from `since` is replayed first and the tail then continues live. With `filter.until` it completes there. An upstream drop is resumed without a gap or a repeat; when the upstream stays unreachable, the last event is an error and the subscription completes. Tails that share a credential and a filter share one upstream stream; a tail with `since` reads a stream of its own until it has caught up with theirs, then goes on with it, and a client that falls `TAIL_MAX_BACKLOG` lines behind goes on with a stream of its own, both without a gap or a repeat.',
    args: { filter: t.arg({ type: FalLogFilterInput }) },
    subscribe: (_root, args, context) => {
      const authorization = requireCredential(context, 'fal');
      const refused = context.falLogsApi === 'legacy' ? legacyRefusal(args.filter) : undefined;
      if (refused) throw refused;
      return context.falLogTails({
        authorization,
        filter: falFilterParams(args.filter),
        start: args.filter?.since ?? fromMillis(Date.now()),
        end: args.filter?.until ?? undefined,
        replay: Boolean(args.filter?.since),
        signal: context.signal,
        requestId: context.call.requestId,
        logger: context.logger,
        lifecycle: context.metrics.subscription,
      });
    },
    resolve: (event: FalTailEvent, _args, context: GatewayContext) => {
      if (event.kind === 'failed') throw failureError(event);
      // Each event is its own unit of work: a long tail must not accumulate loaded requests
      // (the apps list, kept for a minute, is not a loader and stays).
      clearAllDataLoaders(context);
      return event.line;
    },
  }),
);
