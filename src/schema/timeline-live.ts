import { Repeater } from 'graphql-yoga';
import type {
  FalRequestChange,
  FalTailEvent,
  GatewayContext,
  RunChange,
  TailFailure,
  WorkflowRunChange,
} from '../context.js';
import { canonicalIso, fromMillis } from '../time.js';
import { builder } from './builder.js';
import { workflowRunFeedError, workflowRunFeedFilter } from './dify/workflow-run-feed.js';
import { requireCredential } from './errors.js';
import { legacyRefusal } from './fal/legacy-refusals.js';
import { falFilterParams } from './fal/logs.js';
import { changedRequest, falRequestFeedFilter } from './fal/request-feed.js';
import type { LoadedFalRequest } from './fal/request-loader.js';
import {
  handedChange,
  refuseLiveEnd,
  failureError,
  feedRequestOf,
  isFailure,
  nestedRefusal,
  RunChangeEnum,
} from './live-events.js';
import { TimelineEventUnion, TimelineFilterInput, TimelineSourceEnum } from './timeline-types.js';

type TimelineLiveEvent = FalTailEvent | WorkflowRunChange | FalRequestChange | TailFailure;

interface TimelineUpdate {
  at: string;
  source: typeof TimelineSourceEnum.$inferType;
  change: RunChange | null;
  node: Exclude<FalTailEvent, TailFailure>['line'] | LoadedFalRequest | WorkflowRunChange['log'];
}

const TimelineUpdateRef = builder.objectRef<TimelineUpdate>('TimelineUpdate').implement({
  description: 'Something that happened on one of a live timeline’s sources.',
  fields: (t) => ({
    at: t.field({
      type: 'DateTime',
      description:
        'A line’s timestamp; when a run or request started (createdAt, sentAt) or finished (finishedAt, endedAt); for UPDATED, when the gateway saw it.',
      resolve: (update) => update.at,
    }),
    source: t.field({ type: TimelineSourceEnum, resolve: (update) => update.source }),
    change: t.field({
      type: RunChangeEnum,
      nullable: true,
      description: 'Null for log lines.',
      resolve: (update) => update.change,
    }),
    node: t.field({ type: TimelineEventUnion, resolve: (update) => update.node }),
  }),
});

const UNCOUNTED = { started: () => undefined, ended: () => undefined };

/**
 * The sources' events in the order they arrive, counted as one subscription, ending after the
 * first failure (the other sources are then stopped).
 */
function merged(
  sources: readonly AsyncIterable<TimelineLiveEvent>[],
  lifecycle: { started(): void; ended(): void },
): Repeater<TimelineLiveEvent> {
  return new Repeater(async (push, stop) => {
    lifecycle.started();
    const events = Repeater.merge(sources);
    void stop.then(() => events.return());
    try {
      for await (const event of events) {
        await push(event);
        if (isFailure(event)) break;
      }
    } finally {
      await events.return();
      void stop();
      lifecycle.ended();
    }
  });
}

function updateOf(event: Exclude<TimelineLiveEvent, TailFailure>): TimelineUpdate {
  if ('log' in event) {
    return { at: event.at.iso, source: 'DIFY_WORKFLOWS', change: event.change, node: event.log };
  }
  if ('request' in event) {
    return {
      at: event.at.iso,
      source: 'FAL_REQUESTS',
      change: event.change,
      node: changedRequest(event),
    };
  }
  return {
    at: canonicalIso(event.line.timestamp),
    source: 'FAL_LOGS',
    change: null,
    node: event.line,
  };
}

builder.subscriptionField('timeline', (t) =>
  t.field({
    type: TimelineUpdateRef,
    description:
      'The included live sources merged in the order their events arrive: the fal log tail (as `Subscription.falLogs`), fal requests (as `Subscription.falRequests`) and Dify workflow runs (as `Subscription.workflowRuns`). Every included source needs its credential: one missing is UNAUTHENTICATED naming the source, before any upstream call. With `filter.since`, each source first replays from there (in its own order), and the replays interleave as they arrive. `filter.until` is refused. When one source fails for good, its error is the last event and the others stop.',
    args: { filter: t.arg({ type: TimelineFilterInput, required: true }) },
    subscribe: (_root, { filter }, context) => {
      refuseLiveEnd(filter.until, 'filter.until', 'Query.timeline');
      const refusal =
        filter.falLogs && context.falLogsApi === 'legacy'
          ? legacyRefusal(filter.falLogs)
          : undefined;
      if (refusal) throw nestedRefusal('filter.falLogs', refusal);
      const workflowRuns =
        filter.workflowRuns && workflowRunFeedFilter(filter.workflowRuns, 'filter.workflowRuns');
      const fal = filter.falLogs || filter.falRequests ? requireCredential(context, 'fal') : '';
      const dify = workflowRuns ? requireCredential(context, 'dify') : '';

      const since = filter.since ?? undefined;
      const each = { since, ...feedRequestOf(context, UNCOUNTED) };
      const sources: AsyncIterable<TimelineLiveEvent>[] = [];
      if (filter.falLogs) {
        sources.push(
          context.falLogTails({
            authorization: fal,
            filter: falFilterParams(filter.falLogs),
            start: since ?? fromMillis(Date.now()),
            end: undefined,
            replay: since !== undefined,
            signal: context.signal,
            requestId: context.call.requestId,
            logger: context.logger,
            lifecycle: UNCOUNTED,
          }),
        );
      }
      if (filter.falRequests) {
        const { endpointIds, status } = filter.falRequests;
        sources.push(
          context.falRequestFeed({
            ...each,
            authorization: fal,
            filter: falRequestFeedFilter(endpointIds, status),
          }),
        );
      }
      if (workflowRuns) {
        sources.push(
          context.workflowRunFeed({ ...each, authorization: dify, filter: workflowRuns }),
        );
      }
      return merged(sources, context.metrics.subscription);
    },
    resolve: (event: TimelineLiveEvent, { filter }, context: GatewayContext) =>
      updateOf(
        handedChange(event, context, (failure) =>
          failure.details?.source === 'dify' && filter.workflowRuns
            ? workflowRunFeedError(
                failure,
                workflowRunFeedFilter(filter.workflowRuns, 'filter.workflowRuns'),
                'filter.workflowRuns',
              )
            : failureError(failure),
        ),
      ),
  }),
);
