import type { DifyClient } from '../upstreams/dify/client.js';
import { isUnknownAccountError } from '../upstreams/dify/client.js';
import type { FalClient } from '../upstreams/fal/client.js';
import type { FalLogLine } from '../upstreams/fal/types.js';
import type { CallOptions } from '../upstreams/http.js';
import type { Instant } from '../time.js';
import { readFalLogContext, type FalLogContext } from './fal-log-context.js';
import {
  falLogBatches,
  type FalLogBatch,
  type FalLogPageReader,
  type FalLogWalkEnd,
  type FalLogWalkRequest,
} from './fal-logs.js';
import {
  walkFalLogsInOrder,
  type OrderedFalLogWalk,
  type OrderedFalLogWalkRequest,
} from './fal-logs-ordered.js';
import {
  requestIdOf,
  requestLogsFilter,
  walkRequestLogs,
  type RequestLogsPage,
  type RequestLogsWalkRequest,
} from './fal-request-logs.js';
import {
  walkFalRequests,
  type FalRequestsReader,
  type FalRequestsWalk,
  type FalRequestsWalkRequest,
} from './fal-requests.js';
import { timelinePager, type TimelinePager } from './timeline-sources.js';
import {
  findWorkflowLogs,
  secondOf,
  secondsWindow,
  walkWorkflowLogs,
  type SecondsWindow,
  type WorkflowLogLookup,
  type WorkflowLogsReader,
  type WorkflowLogWalk,
  type WorkflowLogWalkRequest,
} from './workflow-logs.js';
import {
  walkWorkflowLogsOldestFirst,
  type OldestFirstWorkflowLogWalk,
  type OldestFirstWorkflowLogWalkRequest,
} from './workflow-logs-oldest-first.js';
import type { DifyWorkflowLog } from '../upstreams/dify/types.js';

/** Whose reads these are: one client's credential and one request's call options. */
export interface ReadScope {
  authorization: string;
  call: CallOptions;
}

type FalLogsRequest = Omit<OrderedFalLogWalkRequest, 'reader'>;

/**
 * The exact-once walks and lookups the schema serves its fields from, each bound to the
 * backends chosen at start, so that the schema never names a client or a walk.
 */
export interface Reads {
  /** fal log lines in either order, from the configured fal logs backend. */
  falLogs(scope: ReadScope, request: FalLogsRequest): Promise<OrderedFalLogWalk>;
  /** fal log lines newest first, one upstream read each time the next batch is asked for. */
  falLogBatches(
    scope: ReadScope,
    request: Omit<FalLogWalkRequest, 'reader'>,
  ): AsyncGenerator<FalLogBatch, FalLogWalkEnd>;
  /** One request's own lines (label `fal_request_id`). */
  falRequestLogs(
    scope: ReadScope,
    request: FalLogsRequest & { requestId: string },
  ): Promise<OrderedFalLogWalk>;
  /** The first page of each request's lines, read together. */
  falRequestsFirstLogs(
    scope: ReadScope,
    request: Omit<RequestLogsWalkRequest, 'reader'>,
  ): Promise<Map<string, RequestLogsPage>>;
  falLogContext(
    scope: ReadScope,
    lookup: { line: FalLogLine; before: number; after: number },
  ): Promise<FalLogContext>;
  falRequests(
    scope: ReadScope,
    request: Omit<FalRequestsWalkRequest, 'read'>,
  ): Promise<FalRequestsWalk>;
  workflowLogs(
    scope: ReadScope,
    request: Omit<WorkflowLogWalkRequest, 'read'>,
  ): Promise<WorkflowLogWalk>;
  workflowLogsOldestFirst(
    scope: ReadScope,
    request: Omit<OldestFirstWorkflowLogWalkRequest, 'read'>,
  ): Promise<OldestFirstWorkflowLogWalk>;
  /** A page of the timeline: the sources' own walks merged newest first. */
  timeline: TimelinePager;
  /** Log rows found again by id within their creation second. */
  findWorkflowLogs(
    scope: ReadScope,
    lookup: Omit<WorkflowLogLookup, 'read'>,
  ): Promise<DifyWorkflowLog[]>;
  /** Whether Dify refused a walk because `filter.accountEmail` names no member. */
  isUnknownAccount(error: unknown): boolean;
  /** The request a fal line was emitted by, when it names one. */
  requestIdOf(line: FalLogLine): string | undefined;
  /** A Dify row's created_at second, which finds it again. */
  secondOf(row: DifyWorkflowLog): number;
  /** `since` inclusive and `until` exclusive as the whole seconds a Dify row may carry. */
  secondsWindow(since: Instant | undefined, until: Instant | undefined): SecondsWindow;
}

export interface ReadBackends {
  fal: FalClient;
  dify: DifyClient;
  /** The fal logs backend chosen at start (`FAL_LOGS_API`), read with one credential. */
  falLogReader: (authorization: string, call: CallOptions) => FalLogPageReader;
}

export function createReads({ fal, dify, falLogReader }: ReadBackends): Reads {
  const reader = (scope: ReadScope) => falLogReader(scope.authorization, scope.call);
  const falRequestsReader =
    (authorization: string, call: CallOptions): FalRequestsReader =>
    (params) =>
      fal.requestsByEndpoint(authorization, params, call);
  const difyReader =
    (scope: ReadScope): WorkflowLogsReader =>
    (params) =>
      dify.workflowLogs(scope.authorization, params, scope.call);
  return {
    falLogs: (scope, request) => walkFalLogsInOrder({ reader: reader(scope), ...request }),
    falLogBatches: (scope, request) => falLogBatches({ reader: reader(scope), ...request }),
    falRequestLogs: (scope, { requestId, filter, ...request }) =>
      walkFalLogsInOrder({
        filter: requestLogsFilter([requestId], filter),
        reader: reader(scope),
        ...request,
      }),
    falRequestsFirstLogs: (scope, request) =>
      walkRequestLogs({ reader: reader(scope), ...request }),
    falLogContext: (scope, lookup) => readFalLogContext({ reader: reader(scope), ...lookup }),
    falRequests: (scope, request) =>
      walkFalRequests({ read: falRequestsReader(scope.authorization, scope.call), ...request }),
    workflowLogs: (scope, request) => walkWorkflowLogs({ read: difyReader(scope), ...request }),
    workflowLogsOldestFirst: (scope, request) =>
      walkWorkflowLogsOldestFirst({ read: difyReader(scope), ...request }),
    timeline: timelinePager({
      falLogs: falLogReader,
      falRequests: falRequestsReader,
      workflowLogs: (authorization, call) => difyReader({ authorization, call }),
    }),
    findWorkflowLogs: (scope, lookup) => findWorkflowLogs({ read: difyReader(scope), ...lookup }),
    isUnknownAccount: isUnknownAccountError,
    requestIdOf,
    secondOf,
    secondsWindow,
  };
}
