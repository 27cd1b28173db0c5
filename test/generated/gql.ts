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
    "query FalLogsOldestFirst($filter: FalLogFilter = {appIds: [\"acme/flux-studio\"]}, $first: Int = 50, $after: String, $order: LogOrder = OLDEST_FIRST) {\n  falLogs(filter: $filter, first: $first, after: $after, order: $order) {\n    edges {\n      node {\n        timestamp\n        level\n        revision\n        requestId\n        message\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.FalLogsOldestFirstDocument,
    "subscription TailFalLogs($filter: FalLogFilter) {\n  falLogs(filter: $filter) {\n    timestamp\n    level\n    app\n    requestId\n    message\n  }\n}": typeof types.TailFalLogsDocument,
    "query FalLogsPage($filter: FalLogFilter, $first: Int = 50, $after: String) {\n  falLogs(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        timestamp\n        level\n        app\n        revision\n        requestId\n        message\n        labels {\n          key\n          value\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.FalLogsPageDocument,
    "query FalRequestsWithLogs($endpointIds: [String!]! = [\"acme/flux-studio\"], $first: Int = 10, $after: String, $logsPerRequest: Int = 5) {\n  falRequests(endpointIds: $endpointIds, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        requestId\n        endpointId\n        status\n        statusCode\n        sentAt\n        endedAt\n        duration\n        logs(first: $logsPerRequest) {\n          edges {\n            node {\n              timestamp\n              level\n              message\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.FalRequestsWithLogsDocument,
    "query WorkflowLogsWithRuns($filter: WorkflowLogFilter, $first: Int = 20, $after: String) {\n  workflowLogs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    edges {\n      cursor\n      node {\n        id\n        logId\n        createdAt\n        createdFrom\n        createdByAccount {\n          name\n          email\n        }\n        createdByEndUser {\n          sessionId\n          type\n        }\n        workflowRun {\n          id\n          runId\n          status\n          statusRaw\n          error\n          elapsedTime\n          totalTokens\n          totalSteps\n          triggeredFrom\n          createdAt\n          finishedAt\n          inputs\n          outputs\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.WorkflowLogsWithRunsDocument,
};
const documents: Documents = {
    "query FalLogsOldestFirst($filter: FalLogFilter = {appIds: [\"acme/flux-studio\"]}, $first: Int = 50, $after: String, $order: LogOrder = OLDEST_FIRST) {\n  falLogs(filter: $filter, first: $first, after: $after, order: $order) {\n    edges {\n      node {\n        timestamp\n        level\n        revision\n        requestId\n        message\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.FalLogsOldestFirstDocument,
    "subscription TailFalLogs($filter: FalLogFilter) {\n  falLogs(filter: $filter) {\n    timestamp\n    level\n    app\n    requestId\n    message\n  }\n}": types.TailFalLogsDocument,
    "query FalLogsPage($filter: FalLogFilter, $first: Int = 50, $after: String) {\n  falLogs(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        timestamp\n        level\n        app\n        revision\n        requestId\n        message\n        labels {\n          key\n          value\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.FalLogsPageDocument,
    "query FalRequestsWithLogs($endpointIds: [String!]! = [\"acme/flux-studio\"], $first: Int = 10, $after: String, $logsPerRequest: Int = 5) {\n  falRequests(endpointIds: $endpointIds, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        requestId\n        endpointId\n        status\n        statusCode\n        sentAt\n        endedAt\n        duration\n        logs(first: $logsPerRequest) {\n          edges {\n            node {\n              timestamp\n              level\n              message\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.FalRequestsWithLogsDocument,
    "query WorkflowLogsWithRuns($filter: WorkflowLogFilter, $first: Int = 20, $after: String) {\n  workflowLogs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    edges {\n      cursor\n      node {\n        id\n        logId\n        createdAt\n        createdFrom\n        createdByAccount {\n          name\n          email\n        }\n        createdByEndUser {\n          sessionId\n          type\n        }\n        workflowRun {\n          id\n          runId\n          status\n          statusRaw\n          error\n          elapsedTime\n          totalTokens\n          totalSteps\n          triggeredFrom\n          createdAt\n          finishedAt\n          inputs\n          outputs\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.WorkflowLogsWithRunsDocument,
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
export function graphql(source: "query FalLogsOldestFirst($filter: FalLogFilter = {appIds: [\"acme/flux-studio\"]}, $first: Int = 50, $after: String, $order: LogOrder = OLDEST_FIRST) {\n  falLogs(filter: $filter, first: $first, after: $after, order: $order) {\n    edges {\n      node {\n        timestamp\n        level\n        revision\n        requestId\n        message\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query FalLogsOldestFirst($filter: FalLogFilter = {appIds: [\"acme/flux-studio\"]}, $first: Int = 50, $after: String, $order: LogOrder = OLDEST_FIRST) {\n  falLogs(filter: $filter, first: $first, after: $after, order: $order) {\n    edges {\n      node {\n        timestamp\n        level\n        revision\n        requestId\n        message\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription TailFalLogs($filter: FalLogFilter) {\n  falLogs(filter: $filter) {\n    timestamp\n    level\n    app\n    requestId\n    message\n  }\n}"): (typeof documents)["subscription TailFalLogs($filter: FalLogFilter) {\n  falLogs(filter: $filter) {\n    timestamp\n    level\n    app\n    requestId\n    message\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FalLogsPage($filter: FalLogFilter, $first: Int = 50, $after: String) {\n  falLogs(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        timestamp\n        level\n        app\n        revision\n        requestId\n        message\n        labels {\n          key\n          value\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query FalLogsPage($filter: FalLogFilter, $first: Int = 50, $after: String) {\n  falLogs(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        timestamp\n        level\n        app\n        revision\n        requestId\n        message\n        labels {\n          key\n          value\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FalRequestsWithLogs($endpointIds: [String!]! = [\"acme/flux-studio\"], $first: Int = 10, $after: String, $logsPerRequest: Int = 5) {\n  falRequests(endpointIds: $endpointIds, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        requestId\n        endpointId\n        status\n        statusCode\n        sentAt\n        endedAt\n        duration\n        logs(first: $logsPerRequest) {\n          edges {\n            node {\n              timestamp\n              level\n              message\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query FalRequestsWithLogs($endpointIds: [String!]! = [\"acme/flux-studio\"], $first: Int = 10, $after: String, $logsPerRequest: Int = 5) {\n  falRequests(endpointIds: $endpointIds, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        requestId\n        endpointId\n        status\n        statusCode\n        sentAt\n        endedAt\n        duration\n        logs(first: $logsPerRequest) {\n          edges {\n            node {\n              timestamp\n              level\n              message\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WorkflowLogsWithRuns($filter: WorkflowLogFilter, $first: Int = 20, $after: String) {\n  workflowLogs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    edges {\n      cursor\n      node {\n        id\n        logId\n        createdAt\n        createdFrom\n        createdByAccount {\n          name\n          email\n        }\n        createdByEndUser {\n          sessionId\n          type\n        }\n        workflowRun {\n          id\n          runId\n          status\n          statusRaw\n          error\n          elapsedTime\n          totalTokens\n          totalSteps\n          triggeredFrom\n          createdAt\n          finishedAt\n          inputs\n          outputs\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query WorkflowLogsWithRuns($filter: WorkflowLogFilter, $first: Int = 20, $after: String) {\n  workflowLogs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    edges {\n      cursor\n      node {\n        id\n        logId\n        createdAt\n        createdFrom\n        createdByAccount {\n          name\n          email\n        }\n        createdByEndUser {\n          sessionId\n          type\n        }\n        workflowRun {\n          id\n          runId\n          status\n          statusRaw\n          error\n          elapsedTime\n          totalTokens\n          totalSteps\n          triggeredFrom\n          createdAt\n          finishedAt\n          inputs\n          outputs\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;