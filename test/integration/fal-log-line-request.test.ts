import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_KEYS, type Fault, type FalRequestRecord } from '../../src/emulator/index.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import {
  FAL_AUTH,
  FAL_BACKENDS,
  startStack,
  type GraphQLResponse,
  type Stack,
} from '../support/stack.js';

const OTHER_AUTH = { authorization: `Key ${DEMO_KEYS.falOther}` };

const LINES = `query ($filter: FalLogFilter, $first: Int) {
  falLogs(filter: $filter, first: $first) {
    edges { node { message requestId request { requestId endpointId status } } }
  }
}`;

interface LineNode {
  message: string;
  requestId: string | null;
  request: { requestId: string; endpointId: string; status: string | null } | null;
}

interface LinesPage {
  falLogs: { edges: Array<{ node: LineNode }> } | null;
}

describe.each(FAL_BACKENDS)('FalLogLine.request over the $api backend', (backend) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  const appsCalls = () => stack.emulator.calls({ route: 'apps.list' });
  const requestCalls = () => stack.emulator.calls({ route: 'requests.byEndpoint' });
  const nodesOf = (response: GraphQLResponse<LinesPage>) =>
    response.data!.falLogs!.edges.map((edge) => edge.node);

  /** A window holding the tenant's newest `count` stored lines. */
  function newestLines(tenant: string, count: number) {
    const lines = stack.emulator.fal.lines(tenant);
    return {
      since: lines[count - 1]!.timestamp,
      until: new Date(Date.parse(lines[0]!.timestamp) + 1).toISOString(),
    };
  }

  function statusOf(record: FalRequestRecord): string {
    if (record.status_code === null) return 'PENDING';
    return ({ 2: 'SUCCESS', 4: 'USER_ERROR', 5: 'ERROR' } as const)[
      Math.floor(record.status_code / 100) as 2 | 4 | 5
    ];
  }

  /** Every line with a request id shows the stored request; the others show null. */
  function expectStoredRequests(tenant: string, nodes: readonly LineNode[]) {
    const stored = new Map(stack.emulator.fal.requests(tenant).map((r) => [r.request_id, r]));
    for (const node of nodes) {
      const record = node.requestId ? stored.get(node.requestId) : undefined;
      expect(node.request).toEqual(
        record
          ? {
              requestId: record.request_id,
              endpointId: record.endpoint_id,
              status: statusOf(record),
            }
          : null,
      );
    }
  }

  describe('FalLogLine.request without filter.appIds', () => {
    it('answers the plain example query, with a request on exactly the lines that have one', async () => {
      const response = await stack.graphql<{
        falLogs: {
          edges: Array<{ node: { message: string; request: { status: string } | null } }>;
        };
      }>('{ falLogs(first: 20) { edges { node { message request { status } } } } }');
      expect(response.errors).toBeUndefined();
      const newest = stack.emulator.fal.lines('demo').slice(0, 20);
      const resolved = response.data!.falLogs.edges.map((edge) => edge.node.request !== null);
      expect(resolved).toEqual(newest.map((line) => line.labels.fal_request_id !== undefined));
      expect(resolved).toContain(true);
      expect(appsCalls()).toHaveLength(1);
    });

    it('finds each request under its own app, owners read from one apps list', async () => {
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: newestLines('demo', 300),
        first: 300,
      });
      expect(response.errors).toBeUndefined();
      const nodes = nodesOf(response);
      expectStoredRequests('demo', nodes);
      const endpoints = new Set(nodes.flatMap((node) => node.request?.endpointId ?? []));
      const apps = new Set([...endpoints].map((id) => id.split('/')[1]));
      expect(apps.size).toBeGreaterThan(1);

      expect(appsCalls()).toEqual([
        expect.objectContaining({ query: {}, authorization: FAL_AUTH.authorization, status: 200 }),
      ]);
      const lookedIn = new Set(requestCalls().flatMap((call) => call.query.endpoint_id ?? []));
      expect(lookedIn).toEqual(new Set([...apps].map((app) => `acme/${app}`)));
    });

    it.each([5, 60, 600])('costs one apps call for a page of %i lines', async (first) => {
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: newestLines('demo', 600),
        first,
      });
      expect(response.errors).toBeUndefined();
      expect(nodesOf(response).some((node) => node.request)).toBe(true);
      expect(appsCalls()).toHaveLength(1);
    });

    it('costs one apps call for several root fields of one query', async () => {
      const response = await stack.graphql<Record<string, { edges: Array<{ node: LineNode }> }>>(
        `query ($recent: FalLogFilter, $warnings: FalLogFilter) {
        recent: falLogs(filter: $recent, first: 50) { edges { node { request { requestId } } } }
        warnings: falLogs(filter: $warnings, first: 50) { edges { node { request { requestId } } } }
      }`,
        { recent: newestLines('demo', 50), warnings: { minLevel: 'WARNING' } },
      );
      expect(response.errors).toBeUndefined();
      for (const field of ['recent', 'warnings']) {
        expect(response.data![field]!.edges.some((edge) => edge.node.request)).toBe(true);
      }
      expect(appsCalls()).toHaveLength(1);
    });

    it('reads the list again for the next query: nothing outlives a request', async () => {
      const variables = { filter: newestLines('demo', 40), first: 40 };
      await stack.graphql(LINES, variables);
      await stack.graphql(LINES, variables);
      expect(appsCalls()).toHaveLength(2);
    });

    it("reads another key's own list, and finds that key's requests under its own owner", async () => {
      await stack.graphql(LINES, { filter: newestLines('demo', 40), first: 40 });
      const response = await stack.graphql<LinesPage>(
        LINES,
        { filter: newestLines('other', 200), first: 200 },
        OTHER_AUTH,
      );
      expect(response.errors).toBeUndefined();
      const nodes = nodesOf(response);
      expectStoredRequests('other', nodes);
      expect(nodes.some((node) => node.request?.endpointId.startsWith('globex/'))).toBe(true);
      expect(appsCalls().map((call) => call.authorization)).toEqual([
        FAL_AUTH.authorization,
        OTHER_AUTH.authorization,
      ]);
    });
  });

  describe('FalLogLine.request reads no apps list', () => {
    it.each([
      ['request is not selected', 'requestId'],
      ['request is skipped', 'requestId request @skip(if: true) { requestId }'],
    ])('when %s', async (_, fields) => {
      const response = await stack.graphql(
        `query ($filter: FalLogFilter) { falLogs(filter: $filter, first: 200) { edges { node { ${fields} } } } }`,
        { filter: newestLines('demo', 200) },
      );
      expect(response.errors).toBeUndefined();
      expect(appsCalls()).toHaveLength(0);
      expect(requestCalls()).toHaveLength(0);
    });

    it('when filter.appIds names the owner', async () => {
      const appIds = stack.emulator.fal.apps('demo').map((app) => app.id);
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: { appIds, ...newestLines('demo', 200) },
        first: 200,
      });
      expect(response.errors).toBeUndefined();
      expectStoredRequests('demo', nodesOf(response));
      expect(requestCalls().length).toBeGreaterThan(0);
      expect(appsCalls()).toHaveLength(0);
    });

    // The legacy API cannot filter by run source (a refusal its own suite checks).
    it.runIf(backend.api === 'v1')('when no line has a request', async () => {
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: { runSource: 'GRPC_REGISTER' },
        first: 100,
      });
      expect(response.errors).toBeUndefined();
      const nodes = nodesOf(response);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.every((node) => node.requestId === null && node.request === null)).toBe(true);
      expect(appsCalls()).toHaveLength(0);
    });
  });

  describe('FalLogLine.request of an app the key does not list', () => {
    const message = 'line of an app deleted since';
    let record: FalRequestRecord;
    let window: { since: string; until: string };

    beforeAll(() => {
      const [older] = stack.emulator.fal.lines('demo').slice(500);
      record = stack.emulator.fal.requests('demo')[0]!;
      stack.emulator.fal.appendLines('demo', [
        {
          app: 'retired-app',
          timestamp: older!.timestamp,
          message,
          labels: { fal_request_id: record.request_id },
        },
      ]);
      const at = Date.parse(older!.timestamp);
      window = { since: new Date(at).toISOString(), until: new Date(at + 1).toISOString() };
    });

    it('is null without an error, and no request lookup is made', async () => {
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: { search: message, ...window },
      });
      expect(response.errors).toBeUndefined();
      expect(nodesOf(response)).toEqual([{ message, requestId: record.request_id, request: null }]);
      expect(appsCalls()).toHaveLength(1);
      expect(requestCalls()).toHaveLength(0);
    });

    it('is looked up under the owner that filter.appIds names', async () => {
      const response = await stack.graphql<LinesPage>(LINES, {
        filter: { appIds: ['acme/retired-app'], search: message, ...window },
      });
      expect(response.errors).toBeUndefined();
      expect(appsCalls()).toHaveLength(0);
      expect(requestCalls().map((call) => call.query.endpoint_id)).toEqual([['acme/retired-app']]);
    });
  });

  describe('a failing apps list', () => {
    it.each<[string, Fault, string, number]>([
      ['401', { status: 401 }, 'UNAUTHENTICATED', 401],
      ['403', { status: 403 }, 'FORBIDDEN', 403],
      ['429 with a long Retry-After', { status: 429, retryAfterSeconds: 120 }, 'RATE_LIMITED', 429],
      ['a malformed body', { malformedBody: true }, 'UPSTREAM_ERROR', 200],
    ])(
      'after %s fails only the request fields, once for the query',
      async (_, fault, code, upstreamStatus) => {
        stack.emulator.setFault('apps.list', fault);
        const response = await stack.graphql<LinesPage>(LINES, {
          filter: newestLines('demo', 100),
          first: 100,
        });
        const nodes = nodesOf(response);
        expect(nodes).toHaveLength(100);
        const withRequest = nodes.flatMap((node, i) => (node.requestId ? [i] : []));
        expect(withRequest.length).toBeGreaterThan(0);
        expect(nodes.every((node) => node.request === null && node.message)).toBe(true);
        expect(response.errors!.map((error) => error.path)).toEqual(
          withRequest.map((i) => ['falLogs', 'edges', i, 'node', 'request']),
        );
        for (const error of response.errors!) {
          expect(error.extensions).toMatchObject({ code, source: 'fal', upstreamStatus });
        }
        expect(appsCalls()).toHaveLength(1);
        expect(requestCalls()).toHaveLength(0);
      },
    );
  });

  describe('FalLogLine.request on a live tail without filter.appIds', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads the apps list once for many events, and again after a minute', async () => {
      const [flux, whisper] = stack.emulator.fal.apps('demo').map((app) => ({
        name: app.name,
        requests: stack.emulator.fal
          .requests('demo')
          .filter((r) => r.endpoint_id.startsWith(app.id)),
      }));
      const client = sseClient(stack.url, 'distinct', FAL_AUTH);
      const tail = subscribe(
        client,
        'subscription { falLogs { message request { requestId endpointId } } }',
        {},
        (data) => data.falLogs as { message: string; request: unknown },
      );
      /** A line of a request no earlier event had, so its owner is not known yet. */
      const emit = async (app: { name: string; requests: FalRequestRecord[] }, count: number) => {
        const record = app.requests[count]!;
        stack.emulator.fal.appendLines('demo', [
          {
            app: app.name,
            message: `event ${count}`,
            labels: { fal_request_id: record.request_id },
          },
        ]);
        const values = await tail.waitFor(count);
        expect(values[count - 1]).toEqual({
          message: `event ${count}`,
          request: { requestId: record.request_id, endpointId: record.endpoint_id },
        });
      };
      try {
        await until(() => backend.isTailing(stack.emulator), 5_000, 'the upstream stream or poll');
        await new Promise((resolve) => setTimeout(resolve, 5));
        await emit(flux!, 1);
        await emit(whisper!, 2);
        await emit(flux!, 3);
        expect(tail.errors).toEqual([]);
        expect(appsCalls()).toHaveLength(1);

        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(Date.now() + 61_000);
        await emit(whisper!, 4);
        expect(appsCalls()).toHaveLength(2);
      } finally {
        tail.dispose();
        client.dispose();
      }
    });
  });
});
