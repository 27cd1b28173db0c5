import { request } from 'undici';
import { expect } from 'vitest';
import type { FalRequestRecord } from '../../src/emulator/index.js';
import { FAL_AUTH, type GraphQLResponse, type Stack } from './stack.js';
import type { Connection } from './connection.js';

export const REQUESTS_PAGE = `query RequestsPage(
  $endpointIds: [String!]!
  $filter: FalRequestFilter
  $orderBy: FalRequestOrder
  $first: Int
  $after: String
) {
  falRequests(
    endpointIds: $endpointIds
    filter: $filter
    orderBy: $orderBy
    first: $first
    after: $after
  ) {
    edges { cursor node { id requestId endpointId status statusCode endedAt duration } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

export interface GatewayRequest {
  id: string;
  requestId: string;
  endpointId: string;
  status: string | null;
  statusCode: number | null;
  endedAt: string | null;
  duration: number | null;
}

export interface RequestsPage {
  falRequests: Connection<GatewayRequest> | null;
}

/**
 * Walks falRequests to its end with `first` rows a page, checking each page's shape;
 * `betweenPages` runs after every page but the last.
 */
export async function walkRequests(
  stack: Stack,
  variables: Record<string, unknown>,
  first: number,
  betweenPages?: (page: number, requests: readonly GatewayRequest[]) => void,
): Promise<{ requests: GatewayRequest[]; pages: number }> {
  const requests: GatewayRequest[] = [];
  let after: string | null = null;
  for (let pages = 1; pages < 10_000; pages += 1) {
    const response: GraphQLResponse<RequestsPage> = await stack.graphql<RequestsPage>(
      REQUESTS_PAGE,
      { ...variables, first, after },
    );
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo } = response.data!.falRequests!;
    expect(edges.length).toBeLessThanOrEqual(first);
    if (pageInfo.hasNextPage) expect(edges).toHaveLength(first);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    requests.push(...edges.map((edge) => edge.node));
    if (!pageInfo.hasNextPage) return { requests, pages };
    betweenPages?.(pages, requests);
    after = pageInfo.endCursor;
  }
  throw new Error('the walk never ended');
}

interface UpstreamPage {
  items: FalRequestRecord[];
  next_cursor: string | null;
}

/** Every row the upstream lists for these parameters, walked directly with its own cursor. */
export async function upstreamRequests(
  stack: Stack,
  params: Record<string, string | string[]>,
): Promise<FalRequestRecord[]> {
  const items: FalRequestRecord[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...params, limit: '100' })) {
      for (const item of [value].flat()) query.append(key, item);
    }
    if (cursor) query.append('cursor', cursor);
    const response = await request(
      `${stack.emulator.falUrl}/serverless/requests/by-endpoint?${query.toString()}`,
      { headers: FAL_AUTH },
    );
    const page = (await response.body.json()) as UpstreamPage;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export const appIdOf = (endpointId: string) => endpointId.split('/').slice(0, 2).join('/');

export const ids = (requests: readonly { requestId: string }[]) =>
  requests.map((item) => item.requestId);

/** The request ids that occur more than once. */
export function repeated(requestIds: readonly string[]): string[] {
  const seen = new Set<string>();
  return requestIds.filter((id) => seen.has(id) || !seen.add(id));
}

export interface LogsPage {
  edges: Array<{ cursor: string; node: { timestamp: string; message: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface RequestWithLogs {
  requestId: string;
  endpointId: string;
  logs: LogsPage;
}

const LOG_FIELDS = 'edges { cursor node { timestamp message } } pageInfo { hasNextPage endCursor }';

/** One request's stored lines in the order history returns them. */
export function storedLinesOf(stack: Stack, requestId: string) {
  return stack.emulator.fal
    .lines('demo')
    .filter((line) => line.labels.fal_request_id === requestId)
    .map((line) => ({ timestamp: new Date(line.timestamp).toISOString(), message: line.message }));
}

/** A page of falRequests with the first page of each request's logs (`$logs` lines). */
export async function requestsWithLogs(
  stack: Stack,
  variables: Record<string, unknown>,
): Promise<RequestWithLogs[]> {
  const response = await stack.graphql<{
    falRequests: { edges: Array<{ node: RequestWithLogs }> };
  }>(
    `query ($endpointIds: [String!]!, $first: Int, $logs: Int, $filter: FalRequestFilter) {
      falRequests(endpointIds: $endpointIds, first: $first, filter: $filter) {
        edges { node { requestId endpointId logs(first: $logs) { ${LOG_FIELDS} } } }
      }
    }`,
    variables,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.falRequests.edges.map((edge) => edge.node);
}

/** Pages one request's logs from `after` to the end through falRequest. */
export async function walkRequestLogs(
  stack: Stack,
  request: { requestId: string; endpointId: string },
  first: number,
  after: string | null,
) {
  const lines: Array<{ timestamp: string; message: string }> = [];
  let cursor = after;
  for (let pages = 1; pages < 1000; pages += 1) {
    const response = await stack.graphql<{ falRequest: { logs: LogsPage } }>(
      `query ($endpointId: String!, $requestId: String!, $first: Int, $after: String) {
        falRequest(endpointId: $endpointId, requestId: $requestId) {
          logs(first: $first, after: $after) { ${LOG_FIELDS} }
        }
      }`,
      { endpointId: request.endpointId, requestId: request.requestId, first, after: cursor },
    );
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo } = response.data!.falRequest.logs;
    if (pageInfo.hasNextPage) expect(edges).toHaveLength(first);
    lines.push(...edges.map((edge) => edge.node));
    if (!pageInfo.hasNextPage) return { lines, pages };
    cursor = pageInfo.endCursor;
  }
  throw new Error('the walk never ended');
}
