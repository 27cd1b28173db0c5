import type { BenchContext } from '../context.js';
import { send, type Target } from '../load.js';
import { fixed, printSection, targetRow } from '../report.js';
import { mean } from '../stats.js';

const DAY_PAGES = 20;
const DAY_PAGE_SIZE = 100;
const REQUEST_PAGE_SIZE = 3;
const ENDPOINT_IDS = ['acme/flux-studio', 'acme/whisper-live', 'acme/sdxl-lora', 'acme/llm-router'];

const DAY_QUERY = `query BenchOldestFirstDay($since: DateTime!, $until: DateTime!, $after: String) {
  falLogs(first: ${DAY_PAGE_SIZE}, after: $after, order: OLDEST_FIRST, filter: { since: $since, until: $until }) {
    edges { node { timestamp message } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const REQUESTS_QUERY = `query BenchRequests($endpointIds: [String!]!, $since: DateTime!, $until: DateTime!) {
  falRequests(endpointIds: $endpointIds, first: 50, filter: { since: $since, until: $until }) {
    edges { node { requestId endpointId logs(first: 100) { edges { node { message } } } } }
  }
}`;

const REQUEST_LOGS_QUERY = `query BenchOldestFirstRequest($endpointId: String!, $requestId: String!, $after: String) {
  falRequest(endpointId: $endpointId, requestId: $requestId) {
    logs(first: ${REQUEST_PAGE_SIZE}, after: $after, order: OLDEST_FIRST) {
      edges { node { timestamp message } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface PageCost {
  ms: number;
  calls: number;
}

/** Walks a connection page by page, recording each page's time and upstream calls. */
async function walkPages(
  context: BenchContext,
  target: (after: string | null) => Target,
  pageInfoOf: (answer: unknown) => PageInfo,
  maxPages: number,
): Promise<PageCost[]> {
  const costs: PageCost[] = [];
  let after: string | null = null;
  while (costs.length < maxPages) {
    await context.emulator.resetCalls();
    const started = performance.now();
    const text = await send(target(after));
    const ms = performance.now() - started;
    const answer = JSON.parse(text) as { errors?: unknown };
    if (answer.errors) throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
    costs.push({ ms, calls: await context.emulator.calls() });
    const info = pageInfoOf(answer);
    if (!info.hasNextPage) break;
    after = info.endCursor;
  }
  return costs;
}

const row = (what: string, costs: readonly PageCost[]) => ({
  pages: what,
  count: costs.length,
  'mean ms': mean(costs.map((cost) => cost.ms)).toFixed(2),
  'max ms': Math.max(...costs.map((cost) => cost.ms)).toFixed(2),
  'upstream calls / page': mean(costs.map((cost) => cost.calls)).toFixed(2),
  'max calls': Math.max(...costs.map((cost) => cost.calls)),
});

/** Scenario: upstream calls and latency of oldest-first pages, over a busy day and one request. */
export async function oldestFirst(context: BenchContext): Promise<void> {
  const { window, falHeaders } = context;
  const gateway = await context.startGateway();
  const post = (query: string, variables: Record<string, unknown>): Target => ({
    url: `${gateway.url}/graphql`,
    method: 'POST',
    headers: falHeaders,
    body: JSON.stringify({ query, variables }),
  });
  try {
    const day = await walkPages(
      context,
      (after) => post(DAY_QUERY, { ...window, after }),
      (answer) => (answer as { data: { falLogs: { pageInfo: PageInfo } } }).data.falLogs.pageInfo,
      DAY_PAGES,
    );

    const requestsText = await send(post(REQUESTS_QUERY, { endpointIds: ENDPOINT_IDS, ...window }));
    const requests = JSON.parse(requestsText) as {
      data: {
        falRequests: {
          edges: Array<{
            node: { requestId: string; endpointId: string; logs: { edges: unknown[] } };
          }>;
        };
      };
    };
    if (!requests.data) throw new Error(`unexpected answer: ${requestsText.slice(0, 300)}`);
    const busiest = requests.data.falRequests.edges
      .map((edge) => edge.node)
      .reduce((most, node) => (node.logs.edges.length > most.logs.edges.length ? node : most));
    const request = await walkPages(
      context,
      (after) =>
        post(REQUEST_LOGS_QUERY, {
          endpointId: busiest.endpointId,
          requestId: busiest.requestId,
          after,
        }),
      (answer) =>
        (answer as { data: { falRequest: { logs: { pageInfo: PageInfo } } } }).data.falRequest.logs
          .pageInfo,
      1000,
    );

    printSection(
      `Oldest first: falLogs(first: ${DAY_PAGE_SIZE}, order: OLDEST_FIRST) over the 24-hour window (${DAY_PAGES} pages), and one request's logs(first: ${REQUEST_PAGE_SIZE}, order: OLDEST_FIRST) (${busiest.logs.edges.length} lines) to the end, one page at a time`,
      [
        row('busy day: first page', day.slice(0, 1)),
        row('busy day: later pages', day.slice(1)),
        row("a request's logs: every page", request),
      ],
      [
        targetRow(
          // falRequest looks the request up (one call), then its logs cost the history calls.
          "upstream calls per oldest-first page of a request's logs (lookup + history)",
          Math.max(...request.map((cost) => cost.calls)),
          { comparison: '=', value: 2 },
          fixed(0),
        ),
      ],
    );
  } finally {
    await gateway.stop();
  }
}
