import { z } from 'zod';
import { builder } from './builder.js';
import { WorkflowLogRef } from './dify/workflow-log.js';
import { WorkflowLogFilterInput } from './dify/workflow-logs.js';
import { FalLogFilterInput, FalLogLineRef } from './fal/logs.js';
import { endpointIdsOptions, FalRequestRef, FalRequestStatusEnum } from './fal/requests.js';
import { orderedTimeBounds } from './inputs.js';

/** The types `Query.timeline` and `Subscription.timeline` share. */

export const TimelineSourceEnum = builder.enumType('TimelineSource', {
  description:
    'Where a timeline event comes from. At equal times, events go out FAL_LOGS first, then FAL_REQUESTS, then DIFY_WORKFLOWS.',
  values: {
    FAL_LOGS: { description: 'A fal log line, at its timestamp.' },
    FAL_REQUESTS: { description: 'A fal request, at its endedAt (live: also when it starts).' },
    DIFY_WORKFLOWS: { description: 'A Dify workflow log row, at its createdAt.' },
  } as const,
});

export const TimelineFalRequestFilterInput = builder.inputType('TimelineFalRequestFilter', {
  description: 'The fal requests a timeline includes.',
  fields: (t) => ({
    endpointIds: t.stringList(endpointIdsOptions),
    status: t.field({
      type: FalRequestStatusEnum,
      description:
        'Requests that ended with this status. PENDING is refused: the upstream cannot filter on it.',
      validate: z
        .string()
        .refine(
          (status) => status !== 'PENDING',
          'PENDING cannot be filtered on (the upstream cannot): leave status out',
        )
        .nullish(),
    }),
  }),
});

/** A source's own time bounds, which the timeline's window replaces. */
const sourceWindow = z
  .looseObject({ since: z.unknown().optional(), until: z.unknown().optional() })
  .nullish();

/** At least one source, and no source with bounds of its own: the timeline's bound them all. */
const timelineFilterChecks = orderedTimeBounds
  .extend({ falLogs: sourceWindow, falRequests: z.unknown(), workflowRuns: sourceWindow })
  .superRefine((filter, ctx) => {
    if (!filter.falLogs && !filter.falRequests && !filter.workflowRuns) {
      ctx.addIssue({
        code: 'custom',
        message: 'include at least one source: falLogs, falRequests or workflowRuns',
      });
    }
    for (const source of ['falLogs', 'workflowRuns'] as const) {
      for (const bound of ['since', 'until'] as const) {
        if (filter[source]?.[bound] == null) continue;
        ctx.addIssue({
          code: 'custom',
          path: [source, bound],
          message: `must be unset: the timeline's own ${bound} applies to every source`,
        });
      }
    }
  });

export const TimelineFilterInput = builder.inputType('TimelineFilter', {
  description:
    'The window of a timeline and the sources it merges: a source is included when its filter is given, and at least one must be.',
  fields: (t) => ({
    since: t.field({
      type: 'DateTime',
      description: 'Inclusive. Default (query): 24 hours before `until`; live: from now.',
    }),
    until: t.field({
      type: 'DateTime',
      description: 'Exclusive. Default: now, pinned when the first page is read.',
    }),
    falLogs: t.field({
      type: FalLogFilterInput,
      description:
        'Include fal log lines, at their timestamp. Its own since and until must be unset.',
    }),
    falRequests: t.field({
      type: TimelineFalRequestFilterInput,
      description:
        'Include fal requests: the query places those that ended within the window at their endedAt (sent at most 24 hours before the window); live, they arrive as they start and end.',
    }),
    workflowRuns: t.field({
      type: WorkflowLogFilterInput,
      description:
        'Include Dify workflow log rows, at their createdAt. Its own since and until must be unset.',
    }),
  }),
  validate: timelineFilterChecks,
});

export type TimelineFilter = NonNullable<typeof TimelineFilterInput.$inferInput>;

export const TimelineEventUnion = builder.unionType('TimelineEvent', {
  description: 'A fal log line, a fal request or a Dify workflow log row.',
  types: [FalLogLineRef, FalRequestRef, WorkflowLogRef],
  resolveType: (item) => {
    if ('item' in item) return FalRequestRef;
    if ('message' in item && 'level' in item) return FalLogLineRef;
    return WorkflowLogRef;
  },
});
