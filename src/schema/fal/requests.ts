import type { GraphQLResolveInfo } from 'graphql';
import { z } from 'zod';
import type {
  FalRequestExpansion,
  FalRequestItem,
  FalRequestsQuery,
  FalRequestStatusClass,
  GatewayContext,
} from '../../context.js';
import { argumentsDigest } from '../../digest.js';
import { cursorLayout, digest, id, instant, list, optional, uint } from '../../cursor-layout.js';
import { parseInstant } from '../../time.js';
import { builder } from '../builder.js';
import { orderedTimeBounds, windowFrom } from '../inputs.js';
import { forwardPage, LazyCursorEdge, pageSizeSchema, readAfterCursor } from '../connections.js';
import { badUserInput, readScope } from '../errors.js';
import { FAL_ID_MAX_LENGTH, FAL_ID_SEGMENT } from './logs.js';
import {
  hasExpansions,
  loadFalRequest,
  rememberRequests,
  type LoadedFalRequest,
} from './request-loader.js';
import { selectedFieldNames } from '../selection.js';

const STATUSES = ['SUCCESS', 'USER_ERROR', 'ERROR', 'PENDING'] as const;
type FalRequestStatus = (typeof STATUSES)[number];

export const FalRequestStatusEnum = builder.enumType('FalRequestStatus', {
  description:
    'Derived from the HTTP status code: 2xx SUCCESS, 4xx USER_ERROR, 5xx ERROR, none yet PENDING.',
  values: STATUSES,
});

const FalRequestOrderEnum = builder.enumType('FalRequestOrder', {
  description: 'Both orders are descending, with pending requests (no end or duration yet) first.',
  values: {
    ENDED_AT: { value: 'ended_at', description: 'Latest end first.' },
    DURATION: { value: 'duration', description: 'Longest first.' },
  } as const,
});

/** What a status code stands for: PENDING without one, null for a class the enum does not name. */
function statusOf(statusCode: number | null | undefined): FalRequestStatus | null {
  if (statusCode == null) return 'PENDING';
  const statusClass = Math.floor(statusCode / 100);
  if (statusClass === 2) return 'SUCCESS';
  if (statusClass === 4) return 'USER_ERROR';
  return statusClass === 5 ? 'ERROR' : null;
}

export const STATUS_CLASS: Record<Exclude<FalRequestStatus, 'PENDING'>, FalRequestStatusClass> = {
  SUCCESS: 'success',
  USER_ERROR: 'user_error',
  ERROR: 'error',
};

const requestIdSchema = z.guid('must be a request id (a UUID)');
const ENDPOINT_ID = new RegExp(`^${FAL_ID_SEGMENT}(/${FAL_ID_SEGMENT})+$`);
const endpointIdSchema = z
  .string()
  .max(FAL_ID_MAX_LENGTH)
  .regex(ENDPOINT_ID, 'must be an endpoint id like owner/name or owner/name/route');
export const endpointIdsSchema = z
  .array(endpointIdSchema)
  .min(1, 'needs at least one endpoint id')
  .max(50, 'takes at most 50 endpoint ids');

/** The options of every `endpointIds` argument and input field. */
export const endpointIdsOptions = {
  required: true,
  description: '1 to 50 endpoint ids; a bare owner/name includes its route-level endpoints.',
  validate: endpointIdsSchema,
} as const;

/** A status to filter on: the upstream cannot filter on PENDING. */
export const statusFilterSchema = z
  .string()
  .refine(
    (status) => status !== 'PENDING',
    'PENDING cannot be filtered on: leave status out, pending requests come first',
  )
  .nullish();

export const FalRequestFilterInput = builder.inputType('FalRequestFilter', {
  fields: (t) => ({
    status: t.field({
      type: FalRequestStatusEnum,
      description:
        'PENDING is refused with BAD_USER_INPUT: the upstream cannot filter on it. Pending requests come first in either order when no status is given.',
      validate: statusFilterSchema,
    }),
    requestId: t.string({ validate: requestIdSchema.nullish() }),
    since: t.field({
      type: 'DateTime',
      description:
        'Inclusive bound on when the request was sent. Default: 24 hours before `until` (90 days with `requestId`).',
    }),
    until: t.field({
      type: 'DateTime',
      description:
        'Exclusive bound on when the request was sent. Default: now, pinned by the first page.',
    }),
  }),
  validate: orderedTimeBounds,
});

const EXPANSION_FIELDS: Record<FalRequestExpansion, readonly string[]> = {
  payloads: ['input', 'output'],
  billing: ['billableUnits'],
};

/** The expansions the fields selected on FalRequest objects under the current field need. */
export function expansionsSelected(
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
): FalRequestExpansion[] {
  const selected = selectedFieldNames(info, path, 'FalRequest');
  return (Object.keys(EXPANSION_FIELDS) as FalRequestExpansion[]).filter((expansion) =>
    EXPANSION_FIELDS[expansion].some((field) => selected.has(field)),
  );
}

/** The row read again with `expansion` when the query's shape did not ask for it up front. */
async function expandedItem(
  context: GatewayContext,
  request: LoadedFalRequest,
  expansion: FalRequestExpansion,
): Promise<FalRequestItem | null> {
  if (hasExpansions(request, [expansion])) return request.item;
  const expanded = await loadFalRequest(context, {
    endpointIds: [request.item.endpoint_id],
    requestId: request.item.request_id,
    expansions: [...request.expansions, expansion],
  });
  return expanded?.item ?? null;
}

const isoOf = (text: string) => parseInstant(text)?.iso ?? text;

interface FalRequestKey {
  endpointId: string;
  requestId: string;
}

export const FalRequestRef = builder.objectRef<LoadedFalRequest>('FalRequest');

builder.node(FalRequestRef, {
  description:
    'A request a fal endpoint served. Its global id encodes the endpoint and request ids.',
  id: {
    resolve: ({ item }) => `${item.endpoint_id}:${item.request_id}`,
    parse: (id): FalRequestKey => {
      const split = id.lastIndexOf(':');
      const endpointId = id.slice(0, split);
      const requestId = id.slice(split + 1);
      if (
        split < 0 ||
        !endpointIdSchema.safeParse(endpointId).success ||
        !requestIdSchema.safeParse(requestId).success
      ) {
        throw badUserInput('id', 'not the id of a FalRequest');
      }
      return { endpointId, requestId };
    },
  },
  loadWithoutCache: (key, context, info) =>
    loadFalRequest(context, {
      endpointIds: [key.endpointId],
      requestId: key.requestId,
      expansions: expansionsSelected(info),
    }),
  fields: (t) => ({
    requestId: t.string({ resolve: ({ item }) => item.request_id }),
    endpointId: t.string({
      description: 'The route-level endpoint the request was recorded under.',
      resolve: ({ item }) => item.endpoint_id,
    }),
    runnerId: t.string({
      nullable: true,
      description: 'The runner (the `fal_job_id` of its log lines); null when none was assigned.',
      resolve: ({ item }) => item.runner_id ?? null,
    }),
    status: t.field({
      type: FalRequestStatusEnum,
      nullable: true,
      description: 'Null for a status code outside 2xx, 4xx and 5xx.',
      resolve: ({ item }) => statusOf(item.status_code),
    }),
    statusCode: t.int({ nullable: true, resolve: ({ item }) => item.status_code ?? null }),
    sentAt: t.field({ type: 'DateTime', resolve: ({ item }) => isoOf(item.sent_at) }),
    startedAt: t.field({ type: 'DateTime', resolve: ({ item }) => isoOf(item.started_at) }),
    endedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: ({ item }) => (item.ended_at ? isoOf(item.ended_at) : null),
    }),
    duration: t.float({
      nullable: true,
      description: 'Seconds from sent to ended.',
      resolve: ({ item }) => item.duration ?? null,
    }),
    input: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Read from the upstream only when selected.',
      resolve: async (request, _args, context) =>
        (await expandedItem(context, request, 'payloads'))?.json_input ?? null,
    }),
    output: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Read from the upstream only when selected.',
      resolve: async (request, _args, context) =>
        (await expandedItem(context, request, 'payloads'))?.json_output ?? null,
    }),
    billableUnits: t.float({
      nullable: true,
      description:
        'Read from the upstream only when selected (endpoint owners only); null until billed.',
      resolve: async (request, _args, context) =>
        (await expandedItem(context, request, 'billing'))?.billable_units ?? null,
    }),
  }),
});

const FalRequestConnection = builder.connectionObject(
  { type: FalRequestRef, name: 'FalRequestConnection' },
  { name: 'FalRequestEdge' },
);

const DEFAULT_FIRST = 20;
const MAX_FIRST = 500;
const DEFAULT_WINDOW_HOURS = 24;
const REQUEST_ID_WINDOW_HOURS = 90 * 24;

/** A falRequests walk's cursor: its pinned window, then where it stands. */
const falRequestsCursor = cursorLayout(
  'falRequests',
  { args: digest, start: instant, end: instant },
  { index: uint, anchor: optional(id), pending: list(id) },
);

builder.queryField('falRequests', (t) =>
  t.field({
    type: FalRequestConnection,
    nullable: true,
    description: `Requests the given fal endpoints served, pending first, then by orderBy (default ENDED_AT), both descending. \`first\` is 1 to ${MAX_FIRST} (default ${DEFAULT_FIRST}). The window is on when a request was sent; it is pinned by the first page, so walking on while new requests arrive neither repeats nor drops one. \`filter.status: PENDING\` is refused (the upstream cannot filter on it): pending requests come first in either order.`,
    args: {
      endpointIds: t.arg.stringList(endpointIdsOptions),
      filter: t.arg({ type: FalRequestFilterInput }),
      orderBy: t.arg({ type: FalRequestOrderEnum, defaultValue: 'ended_at' }),
      first: t.arg.int({
        defaultValue: DEFAULT_FIRST,
        validate: pageSizeSchema(MAX_FIRST),
      }),
      after: t.arg.string(),
    },
    resolve: async (_root, args, context, info) => {
      const status = args.filter?.status;
      const query: FalRequestsQuery = {
        endpointIds: [...new Set(args.endpointIds)],
        status: status && status !== 'PENDING' ? STATUS_CLASS[status] : undefined,
        requestId: args.filter?.requestId ?? undefined,
        sortBy: args.orderBy ?? 'ended_at',
        expand: expansionsSelected(info, ['edges', 'node']),
      };
      const argsDigest = argumentsDigest({
        endpointIds: [...query.endpointIds].sort(),
        status: query.status,
        requestId: query.requestId,
        sortBy: query.sortBy,
        since: args.filter?.since?.iso,
        until: args.filter?.until?.iso,
      });
      const cursor = args.after
        ? readAfterCursor(context, falRequestsCursor, args.after, argsDigest)
        : undefined;
      const scope = readScope(context, 'fal');

      const window =
        cursor ??
        windowFrom(
          args.filter,
          args.filter?.requestId ? REQUEST_ID_WINDOW_HOURS : DEFAULT_WINDOW_HOURS,
          Date.now(),
        );
      const walk = await context.reads.falRequests(scope, {
        query,
        window,
        after: cursor,
        first: args.first ?? DEFAULT_FIRST,
        onLostAnchor: () =>
          context.logger.warn(
            'fal requests moved too far while being walked; the walk went on from its index',
          ),
      });

      const requests = walk.entries.map(({ item }) => ({ item, expansions: query.expand }));
      rememberRequests(context, requests);
      const encodeCursor = context.cursors.pageEncoder(falRequestsCursor, {
        args: argsDigest,
        start: window.start,
        end: window.end,
      });
      const edges = walk.entries.map(
        ({ position }, i) => new LazyCursorEdge(requests[i]!, encodeCursor, position),
      );
      return forwardPage(edges, walk.hasNextPage);
    },
  }),
);

builder.queryField('falRequest', (t) =>
  t.field({
    type: FalRequestRef,
    nullable: true,
    description:
      'One request of an endpoint (a bare owner/name includes its routes) sent within the last 90 days; null when there is none.',
    args: {
      endpointId: t.arg.string({ required: true, validate: endpointIdSchema }),
      requestId: t.arg.string({ required: true, validate: requestIdSchema }),
    },
    resolve: (_root, args, context, info) =>
      loadFalRequest(context, {
        endpointIds: [args.endpointId],
        requestId: args.requestId,
        expansions: expansionsSelected(info),
      }),
  }),
);
