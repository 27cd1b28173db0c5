/** A fixed time window, ISO-8601 UTC on whole seconds, so that every request reads the same data. */
export interface BenchWindow {
  since: string;
  until: string;
}

export interface Operation {
  name: string;
  query: string;
}

export const PAGE_SIZE = 100;

export const FAL_LOGS_PAGE: Operation = {
  name: 'BenchFalLogs',
  query: `query BenchFalLogs($since: DateTime!, $until: DateTime!) {
  falLogs(first: ${PAGE_SIZE}, filter: { since: $since, until: $until }) {
    edges { cursor node { timestamp level message app revision requestId } }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

export const WORKFLOW_LOGS_PAGE: Operation = {
  name: 'BenchWorkflowLogs',
  query: `query BenchWorkflowLogs($since: DateTime!, $until: DateTime!) {
  workflowLogs(first: ${PAGE_SIZE}, filter: { since: $since, until: $until }) {
    edges {
      cursor
      node {
        logId
        createdAt
        createdFrom
        workflowRun { runId status elapsedTime totalTokens createdAt finishedAt }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

export const TIMELINE_PAGE_SIZE = 50;

/** A timeline page over all three sources, each node with the fields its own page would give. */
export const TIMELINE_PAGE: Operation = {
  name: 'BenchTimeline',
  query: `query BenchTimeline($since: DateTime!, $until: DateTime!) {
  timeline(
    first: ${TIMELINE_PAGE_SIZE}
    filter: {
      since: $since
      until: $until
      falLogs: {}
      falRequests: { endpointIds: ["acme/flux-studio", "acme/whisper-live"] }
      workflowRuns: {}
    }
  ) {
    edges {
      cursor
      at
      source
      node {
        __typename
        ... on FalLogLine { timestamp level message app revision }
        ... on FalRequest { requestId endpointId status duration }
        ... on WorkflowLog { logId createdAt workflowRun { runId status elapsedTime } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
};

export const BIG_PAGE_SIZE = 5000;

export const FAL_LOGS_BIG_PAGE: Operation = {
  name: 'BenchFalLogsBigPage',
  query: FAL_LOGS_PAGE.query
    .replace('BenchFalLogs', 'BenchFalLogsBigPage')
    .replace(`first: ${PAGE_SIZE}`, `first: ${BIG_PAGE_SIZE}`),
};

export const REQUESTS_PAGE_SIZE = 50;
export const LOGS_PER_REQUEST = 5;

export const FAL_REQUESTS_WITH_LOGS: Operation = {
  name: 'BenchFalRequestsWithLogs',
  query: `query BenchFalRequestsWithLogs($endpointIds: [String!]!, $since: DateTime!, $until: DateTime!) {
  falRequests(endpointIds: $endpointIds, first: ${REQUESTS_PAGE_SIZE}, filter: { since: $since, until: $until }) {
    edges { node { requestId logs(first: ${LOGS_PER_REQUEST}) { edges { node { message } } } } }
  }
}`,
};

export const LIVE_TAIL: Operation = {
  name: 'BenchLiveTail',
  query:
    'subscription BenchLiveTail($filter: FalLogFilter) { falLogs(filter: $filter) { message } }',
};

export function graphqlBody(operation: Operation, variables: Record<string, unknown>): string {
  return JSON.stringify({ operationName: operation.name, query: operation.query, variables });
}
