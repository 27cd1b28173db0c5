import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FalApp, FalRequestRecord } from '../../src/emulator/index.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let app: FalApp;
let record: FalRequestRecord;

beforeAll(async () => {
  stack = await startStack();
  app = stack.emulator.fal.apps('demo').find((candidate) => candidate.endpoints.length > 1)!;
  record = stack.emulator.fal
    .requests('demo')
    .find((row) => row.endpoint_id.startsWith(app.id) && row.billable_units !== null)!;
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

const requestCalls = () => stack.emulator.calls({ route: 'requests.byEndpoint' });
const historyCalls = () => stack.emulator.calls({ route: 'logs.history' });
const expandOf = (call: { query: Record<string, string[]> }) =>
  [...(call.query.expand ?? [])].sort();

describe('expansions follow the selection', () => {
  const BILLING = 'fragment Billing on FalRequest { billableUnits }';
  const PAGE_INPUT = 'fragment PageInput on FalRequestConnection { edges { node { input } } }';

  it.each([
    ['no payload or billing field', 'requestId status duration', '', []],
    ['input', 'input', '', ['payloads']],
    ['output under an alias', 'result: output', '', ['payloads']],
    ['billableUnits in a named fragment', '...Billing', BILLING, ['billing']],
    ['input in an inline fragment', '... on FalRequest { input }', '', ['payloads']],
    ['a skipped billableUnits', 'requestId billableUnits @skip(if: true)', '', []],
    ['an included output', 'output @include(if: true)', '', ['payloads']],
    ['input and billableUnits', 'input billableUnits', '', ['billing', 'payloads']],
  ])('falRequests with %s', async (_, fields, fragments, expand) => {
    const response = await stack.graphql(
      `query { falRequests(endpointIds: ["${app.id}"], first: 5) { edges { node { requestId ${fields} } } } } ${fragments}`,
    );
    expect(response.errors).toBeUndefined();
    expect(requestCalls().map(expandOf)).toEqual([expand]);
  });

  it('falRequests with input in a fragment on the connection', async () => {
    const response = await stack.graphql(
      `query { falRequests(endpointIds: ["${app.id}"], first: 5) { ...PageInput } } ${PAGE_INPUT}`,
    );
    expect(response.errors).toBeUndefined();
    expect(requestCalls().map(expandOf)).toEqual([['payloads']]);
  });

  it('serves the payloads and billing of the stored request when selected', async () => {
    const response = await stack.graphql<{ falRequest: Record<string, unknown> }>(
      `query ($endpointId: String!, $requestId: String!) {
        falRequest(endpointId: $endpointId, requestId: $requestId) { input output billableUnits }
      }`,
      { endpointId: record.endpoint_id, requestId: record.request_id },
    );
    expect(response.data!.falRequest).toEqual({
      input: record.json_input,
      output: record.json_output,
      billableUnits: record.billable_units,
    });
    expect(requestCalls().map(expandOf)).toEqual([['billing', 'payloads']]);
  });

  it('falRequest and node refetches ask only for what they select', async () => {
    const variables = { endpointId: record.endpoint_id, requestId: record.request_id };
    await stack.graphql(
      `query ($endpointId: String!, $requestId: String!) {
        falRequest(endpointId: $endpointId, requestId: $requestId) { id statusCode }
      }`,
      variables,
    );
    const id = Buffer.from(`FalRequest:${record.endpoint_id}:${record.request_id}`).toString(
      'base64',
    );
    await stack.graphql(`query { node(id: "${id}") { id ... on FalRequest { output } } }`);
    await stack.graphql(`query { nodes(ids: ["${id}"]) { ...Billing } } ${BILLING}`);
    expect(requestCalls().map(expandOf)).toEqual([[], ['payloads'], ['billing']]);
  });
});

describe('FalLogLine.request', () => {
  const LINES = `query ($filter: FalLogFilter, $first: Int) {
    falLogs(filter: $filter, first: $first) {
      edges { node { requestId request { requestId endpointId status } } }
    }
  }`;

  interface LinesPage {
    falLogs: {
      edges: Array<{
        node: {
          requestId: string | null;
          request: { requestId: string; endpointId: string; status: string } | null;
        };
      }>;
    };
  }

  function windowOfRecentLines() {
    const lines = stack.emulator.fal.lines('demo').filter((line) => line.app === app.name);
    return {
      since: lines[150]!.timestamp,
      until: new Date(Date.parse(lines[0]!.timestamp) + 1).toISOString(),
    };
  }

  it('reads each distinct request once, by request id without start, a few at a time', async () => {
    stack.emulator.setFault('requests.byEndpoint', { latencyMs: 60 });
    let inFlight = 0;
    const sampler = setInterval(() => {
      const open = requestCalls().filter((call) => call.status === 0).length;
      inFlight = Math.max(inFlight, open);
    }, 5);
    const response = await stack.graphql<LinesPage>(LINES, {
      filter: { appIds: [app.id], ...windowOfRecentLines() },
      first: 150,
    });
    clearInterval(sampler);
    expect(response.errors).toBeUndefined();

    const nodes = response.data!.falLogs.edges.map((edge) => edge.node);
    const distinct = new Set(nodes.flatMap((node) => (node.requestId ? [node.requestId] : [])));
    expect(distinct.size).toBeGreaterThan(8);
    expect(nodes.some((node) => node.requestId === null && node.request === null)).toBe(true);
    const stored = new Map(stack.emulator.fal.requests('demo').map((r) => [r.request_id, r]));
    for (const node of nodes) {
      if (!node.requestId) continue;
      expect(node.request).toMatchObject({
        requestId: node.requestId,
        endpointId: stored.get(node.requestId)!.endpoint_id,
      });
    }

    const calls = requestCalls();
    expect(calls).toHaveLength(distinct.size);
    expect(new Set(calls.map((call) => call.query.request_id![0]))).toEqual(distinct);
    for (const call of calls) {
      expect(call.query.endpoint_id).toEqual([app.id]);
      expect(call.query.start).toBeUndefined();
      expect(call.query.expand).toBeUndefined();
    }
    expect(inFlight).toBeGreaterThan(1);
    expect(inFlight).toBeLessThanOrEqual(4);
  });

  it('resolves on the live tail too, with the owner from the subscription filter', async () => {
    const client = sseClient(stack.url, 'distinct', FAL_AUTH);
    const tail = subscribe(
      client,
      `subscription ($filter: FalLogFilter) {
        falLogs(filter: $filter) { message request { requestId endpointId } }
      }`,
      { filter: { appIds: [app.id] } },
      (data) => data.falLogs as { message: string; request: unknown },
    );
    try {
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      await new Promise((resolve) => setTimeout(resolve, 5));
      stack.emulator.fal.appendLines('demo', [
        {
          app: app.name,
          message: 'live line of a request',
          labels: { fal_request_id: record.request_id },
        },
      ]);
      const [line] = await tail.waitFor(1);
      expect(line).toEqual({
        message: 'live line of a request',
        request: { requestId: record.request_id, endpointId: record.endpoint_id },
      });
      expect(requestCalls()).toHaveLength(1);
    } finally {
      tail.dispose();
      client.dispose();
    }
  });

  it('costs nothing more under FalRequest.logs, where the request is already known', async () => {
    const response = await stack.graphql(
      `query { falRequests(endpointIds: ["${app.id}"], first: 20) {
        edges { node { requestId logs(first: 4) { edges { node { request { requestId status } } } } } }
      } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(requestCalls()).toHaveLength(1);
    expect(historyCalls()).toHaveLength(1);
    expect(stack.emulator.calls({ route: 'apps.list' })).toHaveLength(0);
  });
});
