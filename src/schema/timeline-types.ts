import { builder } from './builder.js';
import { WorkflowLogRef } from './dify/workflow-log.js';
import { WorkflowLogFilterInput } from './dify/workflow-logs.js';
import { FalLogFilterInput, FalLogLineRef } from './fal/logs.js';
import {
  endpointIdsSchema,
  FalRequestRef,
  FalRequestStatusEnum,
  statusFilterSchema,
} from './fal/requests.js';
import { orderedTimeBounds } from './inputs.js';

/** The types `Query.timeline` and `Subscription.timeline` share. */

export const TimelineSourceEnum = builder.enumType('TimelineSource', {
  description: 'Where a timeline item comes from.',
  values: {
    FAL_LOGS: { description: 'fal log lines.' },
    FAL_REQUESTS: { description: 'fal requests.' },
    DIFY_WORKFLOWS: { description: 'Dify workflow log rows.' },
  } as const,
});

export const TimelineFalRequestFilterInput = builder.inputType('TimelineFalRequestFilter', {
  description: 'The fal requests a timeline includes.',
  fields: (t) => ({
    endpointIds: t.stringList({
      required: true,
      description: '1 to 50 endpoint ids; a bare owner/name includes its route-level endpoints.',
      validate: endpointIdsSchema,
    }),
    status: t.field({
      type: FalRequestStatusEnum,
      description: 'PENDING is refused with BAD_USER_INPUT: the upstream cannot filter on it.',
      validate: statusFilterSchema,
    }),
  }),
});

type Bounded = { since?: unknown; until?: unknown } | null | undefined;

/** At least one source, and no source with bounds of its own: the timeline's bound them all. */
const timelineFilterSchema = orderedTimeBounds.superRefine((filter, context) => {
  if (!filter.falLogs && !filter.falRequests && !filter.workflowRuns) {
    context.addIssue({
      code: 'custom',
      message: 'must include at least one source: falLogs, falRequests or workflowRuns',
    });
  }
  for (const source of ['falLogs', 'workflowRuns'] as const) {
    for (const bound of ['since', 'until'] as const) {
      if ((filter[source] as Bounded)?.[bound]) {
        context.addIssue({
          code: 'custom',
          message: `must be unset: the timeline's own ${bound} bounds every source`,
          path: [source, bound],
        });
      }
    }
  }
});

export const TimelineFilterInput = builder.inputType('TimelineFilter', {
  description:
    'The sources a timeline merges (at least one) and its time window. Sources left out are not read.',
  fields: (t) => ({
    since: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    until: t.field({ type: 'DateTime', description: 'Exclusive.' }),
    falLogs: t.field({
      type: FalLogFilterInput,
      description: 'Include fal log lines (its own since/until must be unset).',
    }),
    falRequests: t.field({
      type: TimelineFalRequestFilterInput,
      description: 'Include fal requests, placed at their endedAt.',
    }),
    workflowRuns: t.field({
      type: WorkflowLogFilterInput,
      description: 'Include Dify workflow log rows, at their createdAt (own since/until unset).',
    }),
  }),
  validate: timelineFilterSchema,
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
