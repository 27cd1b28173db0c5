import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { DifyRunStatus, FalRequestRecord } from '../../src/emulator/index.js';
import { fromMicros, parseInstant } from '../../src/time.js';
import {
  fingerprintOfGateway,
  fingerprintOfWire,
  LINE_FIELDS,
  type GatewayLine,
} from './fal-lines.js';
import { upstreamRequests } from './fal-requests.js';
import { BOTH_KEYS, type GraphQLResponse, type Stack } from './stack.js';

export const TIMELINE_PAGE = `query TimelinePage($filter: TimelineFilter!, $first: Int, $after: String) {
  timeline(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      at
      source
      node {
        __typename
        ... on FalLogLine { ${LINE_FIELDS} }
        ... on FalRequest { requestId endedAt }
        ... on WorkflowLog { logId createdAt }
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    unavailable { source code message }
  }
}`;

export type TimelineSource = 'FAL_LOGS' | 'FAL_REQUESTS' | 'DIFY_WORKFLOWS';

export type TimelineNode =
  | ({ __typename: 'FalLogLine' } & GatewayLine)
  | { __typename: 'FalRequest'; requestId: string; endedAt: string }
  | { __typename: 'WorkflowLog'; logId: string; createdAt: string };

export interface TimelineEdge {
  cursor: string;
  at: string;
  source: TimelineSource;
  node: TimelineNode;
}

export interface TimelineConnection {
  edges: TimelineEdge[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  unavailable: Array<{ source: TimelineSource; code: string; message: string }>;
}

export interface TimelinePage {
  timeline: TimelineConnection | null;
}

/** One string per timeline event: its source, its time and what tells it apart. */
export function eventOf(edge: Pick<TimelineEdge, 'at' | 'source' | 'node'>): string {
  const { node } = edge;
  const what =
    node.__typename === 'FalLogLine'
      ? fingerprintOfGateway(node)
      : node.__typename === 'FalRequest'
        ? node.requestId
        : node.logId;
  return `${edge.source}|${edge.at}|${what}`;
}

/**
 * Walks the timeline to its end with `first` events a page, checking each page's shape;
 * `betweenPages` runs after every page but the last.
 */
export async function walkTimeline(
  stack: Stack,
  filter: Record<string, unknown>,
  first: number,
  options: {
    headers?: Record<string, string>;
    betweenPages?: (page: number) => void;
    /** Pages may be short while a source filters rows itself (a Dify status the gateway checks). */
    shortPages?: boolean;
  } = {},
): Promise<{ events: string[]; pages: TimelineConnection[] }> {
  const events: string[] = [];
  const pages: TimelineConnection[] = [];
  let after: string | null = null;
  for (let page = 1; page < 10_000; page += 1) {
    const response: GraphQLResponse<TimelinePage> = await stack.graphql<TimelinePage>(
      TIMELINE_PAGE,
      { filter, first, after },
      options.headers ?? BOTH_KEYS,
    );
    expect(response.errors).toBeUndefined();
    const connection = response.data!.timeline!;
    const { edges, pageInfo } = connection;
    expect(edges.length).toBeLessThanOrEqual(first);
    if (pageInfo.hasNextPage && !options.shortPages) expect(edges).toHaveLength(first);
    for (const edge of edges) expect(edge.node.__typename).toBe(TYPENAME[edge.source]);
    pages.push(connection);
    events.push(...edges.map(eventOf));
    if (!pageInfo.hasNextPage) return { events, pages };
    options.betweenPages?.(page);
    after = pageInfo.endCursor;
  }
  throw new Error('the walk never ended');
}

const TYPENAME: Record<TimelineSource, TimelineNode['__typename']> = {
  FAL_LOGS: 'FalLogLine',
  FAL_REQUESTS: 'FalRequest',
  DIFY_WORKFLOWS: 'WorkflowLog',
};

const RANK: Record<TimelineSource, number> = { FAL_LOGS: 0, FAL_REQUESTS: 1, DIFY_WORKFLOWS: 2 };

const micros = (iso: string) => parseInstant(iso)!.micros;

/** The sources a timeline includes: fal requests of these endpoints, Dify runs of one status. */
export interface Included {
  falLogs?: boolean;
  falRequests?: readonly string[];
  workflowRuns?: boolean | { status: DifyRunStatus };
}

export interface StoredEvent {
  source: TimelineSource;
  /** As the gateway prints it. */
  at: string;
  /** What tells the event apart: a line's fingerprint, a request id, a log row id. */
  what: string;
  /** What a person reads first: a line's message, a request id, a log row id. */
  label: string;
}

/**
 * Every event of the window `[since, until)` as the emulator stores it, in the documented
 * timeline order: time descending, then FAL_LOGS, FAL_REQUESTS, DIFY_WORKFLOWS, then each
 * source's own upstream order. Only the sources named in `include` count.
 */
export async function storedEvents(
  stack: Stack,
  window: { since: string; until: string },
  include: Included,
): Promise<StoredEvent[]> {
  const since = micros(window.since);
  const until = micros(window.until);
  const within = (at: number) => at >= since && at < until;
  const events: Array<{ at: number; source: TimelineSource; what: string; label: string }> = [];
  if (include.falLogs) {
    for (const line of stack.emulator.fal.lines('demo')) {
      const at = micros(line.timestamp);
      if (within(at)) {
        events.push({ at, source: 'FAL_LOGS', what: fingerprintOfWire(line), label: line.message });
      }
    }
  }
  if (include.falRequests) {
    const listed = await upstreamRequests(stack, {
      endpoint_id: [...include.falRequests],
      start: fromMicros(since - 24 * 3_600_000_000).iso,
      end: fromMicros(until).iso,
    });
    for (const row of listed) {
      const at = row.ended_at === null ? undefined : micros(row.ended_at);
      if (at !== undefined && within(at)) {
        events.push({ at, source: 'FAL_REQUESTS', what: row.request_id, label: row.request_id });
      }
    }
  }
  if (include.workflowRuns) {
    const status = include.workflowRuns === true ? undefined : include.workflowRuns.status;
    for (const row of stack.emulator.dify.logs('demo')) {
      const at = row.created_at * 1e6;
      if (!within(at) || (status && row.workflow_run?.status !== status)) continue;
      events.push({ at, source: 'DIFY_WORKFLOWS', what: row.id, label: row.id });
    }
  }
  // A stable sort: each source's events keep their upstream order.
  return events
    .sort((a, b) => b.at - a.at || RANK[a.source] - RANK[b.source])
    .map((event) => ({ ...event, at: fromMicros(event.at).iso }));
}

/** The stored events of the window as `eventOf` describes them, in timeline order. */
export async function storedTimeline(
  stack: Stack,
  window: { since: string; until: string },
  include: Included,
): Promise<string[]> {
  const events = await storedEvents(stack, window, include);
  return events.map(({ source, at, what }) => `${source}|${at}|${what}`);
}

/** A finished copy of a stored request, sent `runMs` before it ended at `endedAt` (epoch ms). */
export function finishedRequest(
  template: FalRequestRecord,
  endedAt: number,
  runMs = 1_500,
): FalRequestRecord {
  return {
    ...template,
    request_id: randomUUID(),
    sent_at: new Date(endedAt - runMs).toISOString(),
    started_at: new Date(endedAt - runMs + 100).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    status_code: 200,
    duration: runMs / 1000,
  };
}

/**
 * Events of all three sources at one instant (epoch ms, a whole second, so that Dify's seconds
 * meet it): fal log lines, fal requests of `endpointId` ending then, and Dify workflow runs.
 */
export function seedSameInstant(
  stack: Stack,
  atMs: number,
  counts: { lines: number; requests: number; runs: number },
  endpointId: string,
): void {
  expect(atMs % 1000).toBe(0);
  const timestamp = new Date(atMs).toISOString();
  stack.emulator.fal.appendLines(
    'demo',
    Array.from({ length: counts.lines }, (_, i) => ({ timestamp, message: `burst ${atMs} #${i}` })),
  );
  const template = stack.emulator.fal
    .requests('demo')
    .find((row) => row.endpoint_id === endpointId && row.ended_at !== null)!;
  for (let i = 0; i < counts.requests; i += 1) {
    // Sent at different times, so that the upstream's tie order (latest sent first) is exercised.
    stack.emulator.fal.upsertRequest('demo', finishedRequest(template, atMs, 1_000 + 37 * i));
  }
  stack.emulator.dify.insertRuns(
    'demo',
    Array.from({ length: counts.runs }, () => ({
      created_at: atMs / 1000,
      status: 'succeeded' as const,
      orphaned: false,
    })),
  );
}
