import type {
  GatewayContext,
  TailFailure,
  WorkflowRunChange,
  WorkflowRunFeedFilter,
} from '../../context.js';
import { builder } from '../builder.js';
import { badUserInput, requireCredential } from '../errors.js';
import {
  handedChange,
  refuseLiveEnd,
  failureError,
  feedRequestOf,
  RunChangeEnum,
} from '../live-events.js';
import { WorkflowLogRef } from './workflow-log.js';
import { WorkflowLogFilterInput, type WorkflowLogFilter } from './workflow-logs.js';

const WorkflowRunEventRef = builder.objectRef<WorkflowRunChange>('WorkflowRunEvent').implement({
  description: 'A Dify workflow run that started, changed status or finished.',
  fields: (t) => ({
    change: t.field({ type: RunChangeEnum, resolve: (event) => event.change }),
    log: t.field({
      type: WorkflowLogRef,
      description: 'The run’s log row, its `workflowRun` as the feed saw it.',
      resolve: (event) => event.log,
    }),
  }),
});

/**
 * A WorkflowLogFilter (at `path` in the arguments) as a live feed reads it; `until` is refused,
 * as a feed has no end.
 */
export function workflowRunFeedFilter(
  filter: WorkflowLogFilter | null | undefined,
  path: string,
): WorkflowRunFeedFilter {
  refuseLiveEnd(filter?.until, `${path}.until`, 'Query.workflowLogs');
  return {
    params: {
      keyword: filter?.keyword ?? undefined,
      endUserSessionId: filter?.endUserSessionId ?? undefined,
      accountEmail: filter?.accountEmail ?? undefined,
    },
    status: filter?.status ?? undefined,
  };
}

/**
 * A live failure as the error to deliver: Dify refuses an input of a feed only for an email that
 * matches no member of the workspace.
 */
export function workflowRunFeedError(
  failure: TailFailure,
  filter: WorkflowRunFeedFilter,
  path: string,
): Error {
  const { accountEmail } = filter.params;
  if (accountEmail && failure.details?.code === 'BAD_USER_INPUT') {
    return badUserInput(
      `${path}.accountEmail`,
      `no member of the Dify workspace has the email ${JSON.stringify(accountEmail)}`,
    );
  }
  return failureError(failure);
}

builder.subscriptionField('workflowRuns', (t) =>
  t.field({
    type: WorkflowRunEventRef,
    description:
      'Dify workflow runs as they start, change status and finish, by polling Dify every `DIFY_POLL_INTERVAL_MS`. Each run is delivered once per status it is seen in: STARTED when first seen unfinished, UPDATED for a later unfinished status (paused, running again), FINISHED when first seen in a final status. Without `filter.since` the feed starts now (runs unfinished among the newest 100 are followed to their end); with it, the runs created from `since` come first, oldest first. `filter.until` is refused. `filter.status` delivers the changes into that status; `keyword` is matched by Dify when a row is first read. Feeds that share a credential and a filter share one poller; a feed with `since` polls on its own until it has replayed and caught up with that poller (it follows no unfinished run the shared poller does not), then goes on with it. Upstream failures are retried; after `TAIL_RECONNECT_ATTEMPTS` in a row the last event is the error.',
    args: { filter: t.arg({ type: WorkflowLogFilterInput }) },
    subscribe: (_root, args, context) => {
      const filter = workflowRunFeedFilter(args.filter, 'filter');
      const authorization = requireCredential(context, 'dify');
      return context.workflowRunFeed({
        authorization,
        filter,
        since: args.filter?.since ?? undefined,
        ...feedRequestOf(context),
      });
    },
    resolve: (event: WorkflowRunChange | TailFailure, args, context: GatewayContext) =>
      handedChange(event, context, (failure) =>
        workflowRunFeedError(failure, workflowRunFeedFilter(args.filter, 'filter'), 'filter'),
      ),
  }),
);
