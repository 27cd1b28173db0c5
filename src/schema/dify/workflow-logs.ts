import { z } from 'zod';
import {
  cursorLayout,
  digest,
  id,
  list,
  nullable,
  oneOf,
  optional,
  uint,
  type CursorOf,
} from '../../cursor-layout.js';
import { argumentsDigest } from '../../digest.js';
import { LOG_ORDERS } from '../../log-order.js';
import type { DifyStatusFilter, DifyWorkflowLog, WorkflowLogFilterParams } from '../../context.js';
import { EXTRA_CALLS_PER_PAGE } from '../../read-bounds.js';
import { builder } from '../builder.js';
import { orderedTimeBounds } from '../inputs.js';
import { forwardPage, LazyCursorEdge, pageSizeSchema, readAfterCursor } from '../connections.js';
import { badUserInput, readScope } from '../errors.js';
import { LogOrderEnum, requireCursorOrder } from '../log-order.js';
import { WorkflowLogRef } from './workflow-log.js';
import {
  upstreamStatusOf,
  WorkflowRunStatusEnum,
  type WorkflowRunStatus,
} from './workflow-runs.js';

const KEYWORD_MAX_LENGTH = 30;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 500;

const notBlank = z.string().regex(/\S/, 'must not be blank');

export const WorkflowLogFilterInput = builder.inputType('WorkflowLogFilter', {
  fields: (t) => ({
    keyword: t.string({
      description: `Text to find in a run's inputs or outputs or in the end user's session id, at most ${KEYWORD_MAX_LENGTH} characters (Dify ignores the rest).`,
      validate: notBlank.max(
        KEYWORD_MAX_LENGTH,
        `must be at most ${KEYWORD_MAX_LENGTH} characters: Dify matches only that many`,
      ),
    }),
    status: t.field({
      type: WorkflowRunStatusEnum,
      description: `Runs with this status; rows without a run never match. Dify filters SUCCEEDED, FAILED and STOPPED itself. RUNNING, PARTIAL_SUCCEEDED and PAUSED are filtered by the gateway over unfiltered upstream pages: one page of the connection then reads at most \`ceil(first / 100) + ${EXTRA_CALLS_PER_PAGE}\` upstream pages of 100 rows, so it may hold fewer than \`first\` rows, even none, while \`hasNextPage\` is true (follow \`endCursor\`), and \`totalCount\` is null.`,
    }),
    since: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    until: t.field({ type: 'DateTime', description: 'Exclusive.' }),
    endUserSessionId: t.string({
      description: 'Runs started by the end user with this session id.',
      validate: notBlank.max(255),
    }),
    accountEmail: t.string({
      description:
        'Runs started by the workspace member with this email. An email that matches no member is BAD_USER_INPUT.',
      validate: notBlank.max(320),
    }),
  }),
  validate: orderedTimeBounds,
});

export type WorkflowLogFilter = NonNullable<typeof WorkflowLogFilterInput.$inferInput>;

const UPSTREAM_STATUS_FILTERS = new Set<WorkflowRunStatus>(['succeeded', 'failed', 'stopped']);

function isUpstreamStatusFilter(status: WorkflowRunStatus): status is DifyStatusFilter {
  return UPSTREAM_STATUS_FILTERS.has(status);
}

/** The upstream's filter parameters, and the status test the gateway applies itself, if any. */
export function filterPlan(filter: WorkflowLogFilter | null | undefined) {
  const status = filter?.status ?? undefined;
  const params: WorkflowLogFilterParams = {
    keyword: filter?.keyword ?? undefined,
    status: status && isUpstreamStatusFilter(status) ? status : undefined,
    endUserSessionId: filter?.endUserSessionId ?? undefined,
    accountEmail: filter?.accountEmail ?? undefined,
  };
  const accept =
    status && !params.status
      ? (row: DifyWorkflowLog) =>
          row.workflow_run != null && upstreamStatusOf(row.workflow_run.status) === status
      : undefined;
  return { params, accept };
}

const WorkflowLogConnection = builder.connectionObject(
  {
    type: WorkflowLogRef,
    name: 'WorkflowLogConnection',
    fields: (t) => ({
      totalCount: t.int({
        nullable: true,
        description:
          'Rows matching the filter when the walk began (its first page), carried through its cursors. Null when the gateway filters the status itself.',
        resolve: (connection) =>
          'totalCount' in connection && typeof connection.totalCount === 'number'
            ? connection.totalCount
            : null,
      }),
    }),
  },
  { name: 'WorkflowLogEdge' },
);

/** A workflowLogs walk's cursor: the page's order and count, then where the walk stands. */
const workflowLogsCursor = cursorLayout(
  'workflowLogs',
  {
    args: digest,
    order: oneOf(LOG_ORDERS),
    total: nullable(uint),
    /** Oldest first: the window's newest second, pinned by the first page. */
    until: optional(uint),
  },
  {
    second: uint,
    ids: list(id),
    /** Oldest first: rows from `second` on when last counted. */
    count: optional(uint),
  },
);
type WorkflowLogsCursor = CursorOf<typeof workflowLogsCursor>;

/** BAD_USER_INPUT on `field`: Dify found no member of the workspace with this email. */
export function unknownAccount(field: string, email: string) {
  return badUserInput(
    field,
    `no member of the Dify workspace has the email ${JSON.stringify(email)}`,
  );
}

/** An oldest-first cursor always carries the count of rows left from its position. */
function countOf(cursor: WorkflowLogsCursor): number {
  if (cursor.count === undefined) throw badUserInput('after', 'cursor payload is malformed');
  return cursor.count;
}

builder.queryField('workflowLogs', (t) =>
  t.field({
    type: WorkflowLogConnection,
    nullable: true,
    description: `Dify workflow log rows, newest first (or oldest first with \`order: OLDEST_FIRST\`). \`first\` is 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}). Walking to the end yields every row that existed when the walk began exactly once, while new runs arrive; rows created later in the same second as the walk's newest row may join it.`,
    args: {
      filter: t.arg({ type: WorkflowLogFilterInput }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        validate: pageSizeSchema(MAX_PAGE_SIZE),
      }),
      after: t.arg.string(),
      order: t.arg({ type: LogOrderEnum, defaultValue: 'NEWEST_FIRST' }),
    },
    resolve: async (_root, args, context) => {
      const order = args.order ?? 'NEWEST_FIRST';
      const { params, accept } = filterPlan(args.filter);
      const window = context.reads.secondsWindow(
        args.filter?.since ?? undefined,
        args.filter?.until ?? undefined,
      );
      const argsDigest = argumentsDigest({ params, status: args.filter?.status, window });
      const cursor = args.after
        ? readAfterCursor(context, workflowLogsCursor, args.after, argsDigest)
        : undefined;
      if (cursor) requireCursorOrder(cursor.order, order);
      const scope = readScope(context, 'dify');
      const first = args.first ?? DEFAULT_PAGE_SIZE;

      const walk = await (
        order === 'OLDEST_FIRST'
          ? context.reads.workflowLogsOldestFirst(scope, {
              filter: params,
              window: { ...window, until: cursor?.until ?? window.until },
              after: cursor && { second: cursor.second, ids: cursor.ids, count: countOf(cursor) },
              first,
              accept,
            })
          : context.reads
              .workflowLogs(scope, {
                filter: params,
                window,
                after: cursor && { second: cursor.second, ids: cursor.ids },
                first,
                accept,
              })
              .then((newestFirst) => ({ ...newestFirst, until: undefined }))
      ).catch((error: unknown) => {
        if (params.accountEmail && context.reads.isUnknownAccount(error)) {
          throw unknownAccount('filter.accountEmail', params.accountEmail);
        }
        throw error;
      });

      const totalCount = accept ? null : cursor ? cursor.total : (walk.total ?? null);
      const encodeCursor = context.cursors.pageEncoder(workflowLogsCursor, {
        args: argsDigest,
        order,
        total: totalCount,
        until: walk.until,
      });
      const edges = walk.entries.map(
        (entry) => new LazyCursorEdge(entry.row, encodeCursor, entry.position),
      );
      const end = walk.end;
      return {
        ...forwardPage(edges, walk.hasNextPage, () =>
          end && (edges.length > 0 || walk.hasNextPage) ? encodeCursor(end) : null,
        ),
        totalCount,
      };
    },
  }),
);
