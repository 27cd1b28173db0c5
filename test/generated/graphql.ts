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

/** The order a log connection walks its pinned window in. The upstreams answer newest first, so OLDEST_FIRST may cost more upstream calls per page on a large window. */
export type LogOrder =
  | 'NEWEST_FIRST'
  | 'OLDEST_FIRST';

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

export type TailFalLogsSubscriptionVariables = Exact<{
  filter?: FalLogFilter | null | undefined;
}>;


export type TailFalLogsSubscription = { falLogs: { __typename: 'FalLogLine', timestamp: string, level: LogLevel, app: string, requestId: string | null, message: string } };

export type FalLogsPageQueryVariables = Exact<{
  filter?: FalLogFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FalLogsPageQuery = { __typename: 'Query', falLogs: { __typename: 'FalLogConnection', edges: Array<{ __typename: 'FalLogEdge', cursor: string, node: { __typename: 'FalLogLine', timestamp: string, level: LogLevel, app: string, revision: string, requestId: string | null, message: string, labels: Array<{ __typename: 'LogLabel', key: string, value: string }> } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };

export type FalRequestsWithLogsQueryVariables = Exact<{
  endpointIds?: Array<string> | string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  logsPerRequest?: number | null | undefined;
}>;


export type FalRequestsWithLogsQuery = { __typename: 'Query', falRequests: { __typename: 'FalRequestConnection', edges: Array<{ __typename: 'FalRequestEdge', node: { __typename: 'FalRequest', id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, statusCode: number | null, sentAt: string, endedAt: string | null, duration: number | null, logs: { __typename: 'FalLogConnection', edges: Array<{ __typename: 'FalLogEdge', node: { __typename: 'FalLogLine', timestamp: string, level: LogLevel, message: string } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };

export type FalErrorsInContextQueryVariables = Exact<{
  filter?: FalLogFilter | null | undefined;
  first?: number | null | undefined;
  linesAround?: number | null | undefined;
}>;


export type FalErrorsInContextQuery = { __typename: 'Query', falLogs: { __typename: 'FalLogConnection', edges: Array<{ __typename: 'FalLogEdge', node: { __typename: 'FalLogLine', timestamp: string, level: LogLevel, app: string, jobId: string | null, message: string, context: { __typename: 'FalLogContext', before: Array<{ __typename: 'FalLogLine', timestamp: string, level: LogLevel, message: string }>, after: Array<{ __typename: 'FalLogLine', timestamp: string, level: LogLevel, message: string }> } } }> } | null };

export type FalLogsOldestFirstQueryVariables = Exact<{
  filter?: FalLogFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  order?: LogOrder | null | undefined;
}>;


export type FalLogsOldestFirstQuery = { __typename: 'Query', falLogs: { __typename: 'FalLogConnection', edges: Array<{ __typename: 'FalLogEdge', node: { __typename: 'FalLogLine', timestamp: string, level: LogLevel, revision: string, requestId: string | null, message: string } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };

export type TimelineLiveSubscriptionVariables = Exact<{
  filter?: TimelineFilter;
}>;


export type TimelineLiveSubscription = { timeline: { __typename: 'TimelineUpdate', at: string, source: TimelineSource, change: RunChange | null, node:
      | { __typename: 'FalLogLine', level: LogLevel, app: string, message: string }
      | { __typename: 'FalRequest', requestId: string, endpointId: string, status: FalRequestStatus | null, duration: number | null }
      | { __typename: 'WorkflowLog', logId: string, workflowRun: { __typename: 'WorkflowRun', runId: string, status: WorkflowRunStatus, elapsedTime: number | null } | null }
     } };

export type TimelineQueryVariables = Exact<{
  filter?: TimelineFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type TimelineQuery = { __typename: 'Query', timeline: { __typename: 'TimelineConnection', edges: Array<{ __typename: 'TimelineEdge', cursor: string, at: string, source: TimelineSource, node:
        | { __typename: 'FalLogLine', level: LogLevel, app: string, message: string }
        | { __typename: 'FalRequest', id: string, requestId: string, endpointId: string, status: FalRequestStatus | null, duration: number | null }
        | { __typename: 'WorkflowLog', id: string, logId: string, workflowRun: { __typename: 'WorkflowRun', id: string, runId: string, status: WorkflowRunStatus, elapsedTime: number | null } | null }
       }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null }, unavailable: Array<{ __typename: 'UnavailableSource', source: TimelineSource, code: string, message: string }> } | null };

export type WorkflowLogsWithRunsQueryVariables = Exact<{
  filter?: WorkflowLogFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WorkflowLogsWithRunsQuery = { __typename: 'Query', workflowLogs: { __typename: 'WorkflowLogConnection', totalCount: number | null, edges: Array<{ __typename: 'WorkflowLogEdge', cursor: string, node: { __typename: 'WorkflowLog', id: string, logId: string, createdAt: string, createdFrom: string | null, createdByAccount: { __typename: 'WorkflowAccount', name: string | null, email: string | null } | null, createdByEndUser: { __typename: 'WorkflowEndUser', sessionId: string | null, type: string | null } | null, workflowRun: { __typename: 'WorkflowRun', id: string, runId: string, status: WorkflowRunStatus, statusRaw: string, error: string | null, elapsedTime: number | null, totalTokens: number | null, totalSteps: number | null, triggeredFrom: string | null, createdAt: string, finishedAt: string | null, inputs: unknown, outputs: unknown } | null } }>, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };


export const TailFalLogsDocument = {"__meta__":{"hash":"sha256:3c6d52e0704737d23ae0c4adea1d33bb5c4e8256e2375c637febed830d042746"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TailFalLogs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"falLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<TailFalLogsSubscription, TailFalLogsSubscriptionVariables>;
export const FalLogsPageDocument = {"__meta__":{"hash":"sha256:5c8ac0534c4cbda2c53ff734860b71eb39574f8209f29bc73a71111674f69014"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FalLogsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"50"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"falLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"labels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FalLogsPageQuery, FalLogsPageQueryVariables>;
export const FalRequestsWithLogsDocument = {"__meta__":{"hash":"sha256:31790d93b6772d11cd7102ee2a83d85fb400725c7d8718bf13deab2e5c98e9d0"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FalRequestsWithLogs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"endpointIds"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}},"defaultValue":{"kind":"ListValue","values":[{"kind":"StringValue","value":"acme/flux-studio","block":false}]}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"10"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"logsPerRequest"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"falRequests"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"endpointIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"endpointIds"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusCode"}},{"kind":"Field","name":{"kind":"Name","value":"sentAt"}},{"kind":"Field","name":{"kind":"Name","value":"endedAt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"logs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"logsPerRequest"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FalRequestsWithLogsQuery, FalRequestsWithLogsQueryVariables>;
export const FalErrorsInContextDocument = {"__meta__":{"hash":"sha256:344c9c5b3294a13b110f1aed9ddff5cfa6d1c519e1e42e12819b0e7554be8215"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FalErrorsInContext"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogFilter"}},"defaultValue":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"minLevel"},"value":{"kind":"EnumValue","value":"ERROR"}}]}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"5"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"linesAround"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"falLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"jobId"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"context"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"linesAround"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"linesAround"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"before"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"after"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<FalErrorsInContextQuery, FalErrorsInContextQueryVariables>;
export const FalLogsOldestFirstDocument = {"__meta__":{"hash":"sha256:94805703fe028fef819f771deaa3b73eef501595a49c1840159fcc715bf45d58"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FalLogsOldestFirst"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogFilter"}},"defaultValue":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"appIds"},"value":{"kind":"ListValue","values":[{"kind":"StringValue","value":"acme/flux-studio","block":false}]}}]}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"50"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"order"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LogOrder"}},"defaultValue":{"kind":"EnumValue","value":"OLDEST_FIRST"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"falLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"order"},"value":{"kind":"Variable","name":{"kind":"Name","value":"order"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FalLogsOldestFirstQuery, FalLogsOldestFirstQueryVariables>;
export const TimelineLiveDocument = {"__meta__":{"hash":"sha256:f64988991f4dd9d7a727f3120c257f4dc7773ecdfbb1903a0c57560ac2c7d6c4"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TimelineLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimelineFilter"}}},"defaultValue":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"falLogs"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"minLevel"},"value":{"kind":"EnumValue","value":"INFO"}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"falRequests"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"endpointIds"},"value":{"kind":"ListValue","values":[{"kind":"StringValue","value":"acme/flux-studio","block":false}]}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"workflowRuns"},"value":{"kind":"ObjectValue","fields":[]}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"change"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLog"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"logId"}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<TimelineLiveSubscription, TimelineLiveSubscriptionVariables>;
export const TimelineDocument = {"__meta__":{"hash":"sha256:3d74438ba437253232c3d2de4d6831f620b529f1917daacdaa446b52c78ac987"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Timeline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimelineFilter"}}},"defaultValue":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"falLogs"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"minLevel"},"value":{"kind":"EnumValue","value":"WARNING"}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"falRequests"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"endpointIds"},"value":{"kind":"ListValue","values":[{"kind":"StringValue","value":"acme/flux-studio","block":false}]}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"workflowRuns"},"value":{"kind":"ObjectValue","fields":[]}}]}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalLogLine"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"app"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"FalRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}},{"kind":"Field","name":{"kind":"Name","value":"endpointId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLog"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"logId"}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"unavailable"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<TimelineQuery, TimelineQueryVariables>;
export const WorkflowLogsWithRunsDocument = {"__meta__":{"hash":"sha256:fa9d2b6137242bdb4b686e2bfd16b338bc2ac2ac834016fe414f61d5d3defc61"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WorkflowLogsWithRuns"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"WorkflowLogFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}},"defaultValue":{"kind":"IntValue","value":"20"}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"workflowLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"logId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdFrom"}},{"kind":"Field","name":{"kind":"Name","value":"createdByAccount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"email"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdByEndUser"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"sessionId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}}]}},{"kind":"Field","name":{"kind":"Name","value":"workflowRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"runId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusRaw"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"elapsedTime"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalSteps"}},{"kind":"Field","name":{"kind":"Name","value":"triggeredFrom"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"inputs"}},{"kind":"Field","name":{"kind":"Name","value":"outputs"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<WorkflowLogsWithRunsQuery, WorkflowLogsWithRunsQueryVariables>;