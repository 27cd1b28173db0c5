/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type FalLogFilter = {
  /** Apps as `owner/name`, 1 to 50. */
  appIds?: Array<string> | null | undefined;
  /** The runner (label `fal_job_id`). */
  jobId?: string | null | undefined;
  labels?: Array<LabelFilter> | null | undefined;
  /** The lowest level returned, in fal’s order: TRACE < DEBUG < INFO < WARNING < ERROR < STDOUT < STDERR. STDOUT and STDERR (a process’s raw output) rank above ERROR, so `ERROR` also returns them, often as most of the lines, and `STDERR` returns STDERR lines alone. fal cannot select ERROR lines alone: ask for `ERROR` and keep the lines whose `level` is `ERROR`. */
  minLevel?: LogLevel | null | undefined;
  /** The request that emitted the line (label `fal_request_id`). */
  requestId?: string | null | undefined;
  revision?: string | null | undefined;
  runSource?: FalRunSource | null | undefined;
  /** Free text the message must contain. */
  search?: string | null | undefined;
  /** Inclusive. Default: 24 hours before `until`. */
  since?: string | null | undefined;
  /** Include tracebacks (label `traceback`) on error lines. */
  traceback?: boolean | null | undefined;
  /** Exclusive. Default: now, pinned when the first page is read. */
  until?: string | null | undefined;
};

/** Derived from the HTTP status code: 2xx SUCCESS, 4xx USER_ERROR, 5xx ERROR, none yet PENDING. */
export type FalRequestStatus =
  | 'ERROR'
  | 'PENDING'
  | 'SUCCESS'
  | 'USER_ERROR';

export type FalRunSource =
  | 'CRON'
  | 'GATEWAY'
  | 'GRPC_REGISTER'
  | 'GRPC_RUN';

/** A condition on one label of a log line. EQUALS and NOT_EQUALS take exactly one value; IN and NOT_IN take one or more. */
export type LabelFilter = {
  key: string;
  op?: LabelOp | null | undefined;
  values: Array<string>;
};

export type LabelOp =
  | 'EQUALS'
  | 'IN'
  | 'NOT_EQUALS'
  | 'NOT_IN';

/** Severity of a log line. STDOUT and STDERR are raw process output; as a minimum level they rank above ERROR, and STDERR above STDOUT. */
export type LogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'STDERR'
  | 'STDOUT'
  | 'TRACE'
  | 'WARNING';

/** How a run changed, as a live feed saw it. Each run is delivered once per status it is seen in. */
export type RunChange =
  /** First seen in a final status, also when first seen already finished. */
  | 'FINISHED'
  /** First seen unfinished (a Dify run running or paused, a fal request pending). */
  | 'STARTED'
  /** Seen in another unfinished status than before (paused, running again). */
  | 'UPDATED';

/** The fal requests a timeline includes. */
export type TimelineFalRequestFilter = {
  /** 1 to 50 endpoint ids; a bare owner/name includes its route-level endpoints. */
  endpointIds: Array<string>;
  /** Requests that ended with this status. PENDING is refused: the upstream cannot filter on it. */
  status?: FalRequestStatus | null | undefined;
};

/** The window of a timeline and the sources it merges: a source is included when its filter is given, and at least one must be. */
export type TimelineFilter = {
  /** Include fal log lines, at their timestamp. Its own since and until must be unset. */
  falLogs?: FalLogFilter | null | undefined;
  /** Include fal requests: the query places those that ended within the window at their endedAt (sent at most 24 hours before the window); live, they arrive as they start and end. */
  falRequests?: TimelineFalRequestFilter | null | undefined;
  /** Inclusive. Default (query): 24 hours before `until`; live: from now. */
  since?: string | null | undefined;
  /** Exclusive. Default: now, pinned when the first page is read. */
  until?: string | null | undefined;
  /** Include Dify workflow log rows, at their createdAt. Its own since and until must be unset. */
  workflowRuns?: WorkflowLogFilter | null | undefined;
};

/** Where a timeline event comes from. At equal times, events go out FAL_LOGS first, then FAL_REQUESTS, then DIFY_WORKFLOWS. */
export type TimelineSource =
  /** A Dify workflow log row, at its createdAt. */
  | 'DIFY_WORKFLOWS'
  /** A fal log line, at its timestamp. */
  | 'FAL_LOGS'
  /** A fal request, at its endedAt (live: also when it starts). */
  | 'FAL_REQUESTS';

export type WorkflowLogFilter = {
  /** Runs started by the workspace member with this email. An email that matches no member is BAD_USER_INPUT. */
  accountEmail?: string | null | undefined;
  /** Runs started by the end user with this session id. */
  endUserSessionId?: string | null | undefined;
  /** Text to find in a run's inputs or outputs or in the end user's session id, at most 30 characters (Dify ignores the rest). */
  keyword?: string | null | undefined;
  /** Inclusive. */
  since?: string | null | undefined;
  /** Runs with this status; rows without a run never match. Dify filters SUCCEEDED, FAILED and STOPPED itself. RUNNING, PARTIAL_SUCCEEDED and PAUSED are filtered by the gateway over unfiltered upstream pages: one page of the connection then reads at most `ceil(first / 100) + 10` upstream pages of 100 rows, so it may hold fewer than `first` rows, even none, while `hasNextPage` is true (follow `endCursor`), and `totalCount` is null. */
  status?: WorkflowRunStatus | null | undefined;
  /** Exclusive. */
  until?: string | null | undefined;
};

/** Where a Dify workflow run stands. A status this gateway does not know (see `WorkflowRun.statusRaw`) reads as RUNNING while the run has not finished, and once it has as FAILED when it has an error, else SUCCEEDED. */
export type WorkflowRunStatus =
  | 'FAILED'
  /** Finished with some nodes failed (their errors were handled). */
  | 'PARTIAL_SUCCEEDED'
  /** Waiting for human input. */
  | 'PAUSED'
  | 'RUNNING'
  /** Stopped by a user. */
  | 'STOPPED'
  | 'SUCCEEDED';

export type RequestWithLogsQueryVariables = Exact<{
  endpointId: string;
  requestId: string;
  after?: string | null | undefined;
}>;


export type RequestWithLogsQuery = { falRequest: { runnerId: string | null, startedAt: string, input: unknown, output: unknown, id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, statusCode: number | null, sentAt: string, endedAt: string | null, duration: number | null, logs: { edges: Array<{ cursor: string, node: { timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type LineInContextQueryVariables = Exact<{
  filter: FalLogFilter;
}>;


export type LineInContextQuery = { falLogs: { edges: Array<{ node: { timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null, labels: Array<{ key: string, value: string }>, request: { endpointId: string, requestId: string } | null, context: { before: Array<{ timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null }>, after: Array<{ timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null }> } } }> } | null };

export type RunDetailQueryVariables = Exact<{
  id: string;
}>;


export type RunDetailQuery = { workflowRun: { id: string, runId: string, status: WorkflowRunStatus, error: string | null, elapsedTime: number | null, totalTokens: number | null, totalSteps: number | null, createdAt: string, finishedAt: string | null, inputs: unknown, outputs: unknown } | null };

export type LogLineFieldsFragment = { timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null };

export type RequestFieldsFragment = { id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, statusCode: number | null, sentAt: string, endedAt: string | null, duration: number | null };

export type RunLogFieldsFragment = { id: string, createdAt: string, createdFrom: string | null, workflowRun: { id: string, runId: string, status: WorkflowRunStatus, error: string | null, elapsedTime: number | null, totalTokens: number | null } | null };

export type TimelinePageQueryVariables = Exact<{
  filter: TimelineFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type TimelinePageQuery = { timeline: { edges: Array<{ cursor: string, at: string, source: TimelineSource, node:
        | { __typename: 'FalLogLine', timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null }
        | { __typename: 'FalRequest', id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, statusCode: number | null, sentAt: string, endedAt: string | null, duration: number | null }
        | { __typename: 'WorkflowLog', id: string, createdAt: string, createdFrom: string | null, workflowRun: { id: string, runId: string, status: WorkflowRunStatus, error: string | null, elapsedTime: number | null, totalTokens: number | null } | null }
       }>, pageInfo: { hasNextPage: boolean, endCursor: string | null }, unavailable: Array<{ source: TimelineSource, code: string, message: string }> } | null };

export type LiveTimelineSubscriptionVariables = Exact<{
  filter: TimelineFilter;
}>;


export type LiveTimelineSubscription = { timeline: { at: string, source: TimelineSource, change: RunChange | null, node:
      | { __typename: 'FalLogLine', timestamp: string, level: LogLevel, message: string, app: string, revision: string, jobId: string | null }
      | { __typename: 'FalRequest', id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, statusCode: number | null, sentAt: string, endedAt: string | null, duration: number | null }
      | { __typename: 'WorkflowLog', id: string, createdAt: string, createdFrom: string | null, workflowRun: { id: string, runId: string, status: WorkflowRunStatus, error: string | null, elapsedTime: number | null, totalTokens: number | null } | null }
     } };

export const LogLineFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LogLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}}]}}]} as unknown as DocumentNode<LogLineFieldsFragment, unknown>;
export const RequestFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"sentAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}}]} as unknown as DocumentNode<RequestFieldsFragment, unknown>;
export const RunLogFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RunLogFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLog"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdFrom"}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]} as unknown as DocumentNode<RunLogFieldsFragment, unknown>;
export const RequestWithLogsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RequestWithLogs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"endpointId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"requestId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"falRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"endpointId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"endpointId"}}},{"kind":"Argument","name":{"kind":"Name","value":"requestId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"requestId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RequestFields"}},{"kind":"Field","name":{"kind":"Name","value":"runnerId"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"input"}},{"kind":"Field","name":{"kind":"Name","value":"output"}},{"kind":"Field","name":{"kind":"Name","value":"logs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"OLDEST_FIRST"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"sentAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LogLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}}]}}]} as unknown as DocumentNode<RequestWithLogsQuery, RequestWithLogsQueryVariables>;
export const LineInContextDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LineInContext"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"falLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"EnumValue","value":"OLDEST_FIRST"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}},{"kind":"Field","name":{"kind":"Name","value":"labels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"request"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"context"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"IntValue","value":"10"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"before"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"after"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}}]}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LogLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}}]}}]} as unknown as DocumentNode<LineInContextQuery, LineInContextQueryVariables>;
export const RunDetailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RunDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalSteps"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"inputs"}},{"kind":"Field","name":{"kind":"Name","value":"outputs"}}]}}]}}]} as unknown as DocumentNode<RunDetailQuery, RunDetailQueryVariables>;
export const TimelinePageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TimelinePage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimelineFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"50"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"RequestFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"RunLogFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"unavailable"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LogLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"sentAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RunLogFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLog"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdFrom"}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]} as unknown as DocumentNode<TimelinePageQuery, TimelinePageQueryVariables>;
export const LiveTimelineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveTimeline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimelineFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"LogLineFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"RequestFields"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"RunLogFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"LogLineFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"sentAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RunLogFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLog"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdFrom"}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]} as unknown as DocumentNode<LiveTimelineSubscription, LiveTimelineSubscriptionVariables>;