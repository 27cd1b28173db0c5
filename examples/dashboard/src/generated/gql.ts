/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query RequestWithLogs($endpointId: String!, $requestId: String!, $after: String) {\n  falRequest(endpointId: $endpointId, requestId: $requestId) {\n    ...RequestFields\n    runnerId\n    startedAt\n    input\n    output\n    logs(first: 100, after: $after, order: OLDEST_FIRST) {\n      edges {\n        cursor\n        node {\n          ...LogLineFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery LineInContext($filter: FalLogFilter!) {\n  falLogs(filter: $filter, first: 20, order: OLDEST_FIRST) {\n    edges {\n      node {\n        ...LogLineFields\n        labels {\n          key\n          value\n        }\n        request {\n          endpointId\n          requestId\n        }\n        context(before: 10, after: 10) {\n          before {\n            ...LogLineFields\n          }\n          after {\n            ...LogLineFields\n          }\n        }\n      }\n    }\n  }\n}\n\nquery RunDetail($id: String!) {\n  workflowRun(id: $id) {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n    totalSteps\n    createdAt\n    finishedAt\n    inputs\n    outputs\n  }\n}": typeof types.RequestWithLogsDocument,
    "fragment LogLineFields on FalLogLine {\n  timestamp\n  level\n  message\n  app\n  revision\n  jobId\n}\n\nfragment RequestFields on FalRequest {\n  id\n  requestId\n  endpointId\n  status\n  statusCode\n  sentAt\n  endedAt\n  duration\n}\n\nfragment RunLogFields on WorkflowLog {\n  id\n  createdAt\n  createdFrom\n  workflowRun {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n  }\n}": typeof types.LogLineFieldsFragmentDoc,
    "query TimelinePage($filter: TimelineFilter!, $first: Int = 50, $after: String) {\n  timeline(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      at\n      source\n      node {\n        __typename\n        ...LogLineFields\n        ...RequestFields\n        ...RunLogFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    unavailable {\n      source\n      code\n      message\n    }\n  }\n}\n\nsubscription LiveTimeline($filter: TimelineFilter!) {\n  timeline(filter: $filter) {\n    at\n    source\n    change\n    node {\n      __typename\n      ...LogLineFields\n      ...RequestFields\n      ...RunLogFields\n    }\n  }\n}": typeof types.TimelinePageDocument,
};
const documents: Documents = {
    "query RequestWithLogs($endpointId: String!, $requestId: String!, $after: String) {\n  falRequest(endpointId: $endpointId, requestId: $requestId) {\n    ...RequestFields\n    runnerId\n    startedAt\n    input\n    output\n    logs(first: 100, after: $after, order: OLDEST_FIRST) {\n      edges {\n        cursor\n        node {\n          ...LogLineFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery LineInContext($filter: FalLogFilter!) {\n  falLogs(filter: $filter, first: 20, order: OLDEST_FIRST) {\n    edges {\n      node {\n        ...LogLineFields\n        labels {\n          key\n          value\n        }\n        request {\n          endpointId\n          requestId\n        }\n        context(before: 10, after: 10) {\n          before {\n            ...LogLineFields\n          }\n          after {\n            ...LogLineFields\n          }\n        }\n      }\n    }\n  }\n}\n\nquery RunDetail($id: String!) {\n  workflowRun(id: $id) {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n    totalSteps\n    createdAt\n    finishedAt\n    inputs\n    outputs\n  }\n}": types.RequestWithLogsDocument,
    "fragment LogLineFields on FalLogLine {\n  timestamp\n  level\n  message\n  app\n  revision\n  jobId\n}\n\nfragment RequestFields on FalRequest {\n  id\n  requestId\n  endpointId\n  status\n  statusCode\n  sentAt\n  endedAt\n  duration\n}\n\nfragment RunLogFields on WorkflowLog {\n  id\n  createdAt\n  createdFrom\n  workflowRun {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n  }\n}": types.LogLineFieldsFragmentDoc,
    "query TimelinePage($filter: TimelineFilter!, $first: Int = 50, $after: String) {\n  timeline(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      at\n      source\n      node {\n        __typename\n        ...LogLineFields\n        ...RequestFields\n        ...RunLogFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    unavailable {\n      source\n      code\n      message\n    }\n  }\n}\n\nsubscription LiveTimeline($filter: TimelineFilter!) {\n  timeline(filter: $filter) {\n    at\n    source\n    change\n    node {\n      __typename\n      ...LogLineFields\n      ...RequestFields\n      ...RunLogFields\n    }\n  }\n}": types.TimelinePageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query RequestWithLogs($endpointId: String!, $requestId: String!, $after: String) {\n  falRequest(endpointId: $endpointId, requestId: $requestId) {\n    ...RequestFields\n    runnerId\n    startedAt\n    input\n    output\n    logs(first: 100, after: $after, order: OLDEST_FIRST) {\n      edges {\n        cursor\n        node {\n          ...LogLineFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery LineInContext($filter: FalLogFilter!) {\n  falLogs(filter: $filter, first: 20, order: OLDEST_FIRST) {\n    edges {\n      node {\n        ...LogLineFields\n        labels {\n          key\n          value\n        }\n        request {\n          endpointId\n          requestId\n        }\n        context(before: 10, after: 10) {\n          before {\n            ...LogLineFields\n          }\n          after {\n            ...LogLineFields\n          }\n        }\n      }\n    }\n  }\n}\n\nquery RunDetail($id: String!) {\n  workflowRun(id: $id) {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n    totalSteps\n    createdAt\n    finishedAt\n    inputs\n    outputs\n  }\n}"): (typeof documents)["query RequestWithLogs($endpointId: String!, $requestId: String!, $after: String) {\n  falRequest(endpointId: $endpointId, requestId: $requestId) {\n    ...RequestFields\n    runnerId\n    startedAt\n    input\n    output\n    logs(first: 100, after: $after, order: OLDEST_FIRST) {\n      edges {\n        cursor\n        node {\n          ...LogLineFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nquery LineInContext($filter: FalLogFilter!) {\n  falLogs(filter: $filter, first: 20, order: OLDEST_FIRST) {\n    edges {\n      node {\n        ...LogLineFields\n        labels {\n          key\n          value\n        }\n        request {\n          endpointId\n          requestId\n        }\n        context(before: 10, after: 10) {\n          before {\n            ...LogLineFields\n          }\n          after {\n            ...LogLineFields\n          }\n        }\n      }\n    }\n  }\n}\n\nquery RunDetail($id: String!) {\n  workflowRun(id: $id) {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n    totalSteps\n    createdAt\n    finishedAt\n    inputs\n    outputs\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment LogLineFields on FalLogLine {\n  timestamp\n  level\n  message\n  app\n  revision\n  jobId\n}\n\nfragment RequestFields on FalRequest {\n  id\n  requestId\n  endpointId\n  status\n  statusCode\n  sentAt\n  endedAt\n  duration\n}\n\nfragment RunLogFields on WorkflowLog {\n  id\n  createdAt\n  createdFrom\n  workflowRun {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n  }\n}"): (typeof documents)["fragment LogLineFields on FalLogLine {\n  timestamp\n  level\n  message\n  app\n  revision\n  jobId\n}\n\nfragment RequestFields on FalRequest {\n  id\n  requestId\n  endpointId\n  status\n  statusCode\n  sentAt\n  endedAt\n  duration\n}\n\nfragment RunLogFields on WorkflowLog {\n  id\n  createdAt\n  createdFrom\n  workflowRun {\n    id\n    runId\n    status\n    error\n    elapsedTime\n    totalTokens\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TimelinePage($filter: TimelineFilter!, $first: Int = 50, $after: String) {\n  timeline(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      at\n      source\n      node {\n        __typename\n        ...LogLineFields\n        ...RequestFields\n        ...RunLogFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    unavailable {\n      source\n      code\n      message\n    }\n  }\n}\n\nsubscription LiveTimeline($filter: TimelineFilter!) {\n  timeline(filter: $filter) {\n    at\n    source\n    change\n    node {\n      __typename\n      ...LogLineFields\n      ...RequestFields\n      ...RunLogFields\n    }\n  }\n}"): (typeof documents)["query TimelinePage($filter: TimelineFilter!, $first: Int = 50, $after: String) {\n  timeline(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      at\n      source\n      node {\n        __typename\n        ...LogLineFields\n        ...RequestFields\n        ...RunLogFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    unavailable {\n      source\n      code\n      message\n    }\n  }\n}\n\nsubscription LiveTimeline($filter: TimelineFilter!) {\n  timeline(filter: $filter) {\n    at\n    source\n    change\n    node {\n      __typename\n      ...LogLineFields\n      ...RequestFields\n      ...RunLogFields\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;