import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FalApp } from '../../src/emulator/index.js';
import type { RecordedCall } from '../../src/emulator/index.js';
import { FAL_BACKENDS, startStack, type Stack } from '../support/stack.js';
import {
  requestsWithLogs,
  storedLinesOf,
  walkRequestLogs,
  type LogsPage,
  type RequestWithLogs,
} from '../support/fal-requests.js';

/** The request ids one history read asked for: v1's `in` label condition, or legacy's equality. */
function requestIdsOf(call: RecordedCall): string[] {
  const body = call.body as
    | Array<{ key: string; value: string[] }>
    | { extra_filters: Array<{ key: string; value: string }> };
  if (Array.isArray(body)) return body.find((label) => label.key === 'fal_request_id')!.value;
  return body.extra_filters
    .filter((label) => label.key === 'fal_request_id')
    .map((label) => label.value);
}

describe.each(FAL_BACKENDS)('FalRequest.logs over the $api backend', (backend) => {
  let stack: Stack;
  let app: FalApp;

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
    app = stack.emulator.fal.apps('demo').find((candidate) => candidate.endpoints.length > 1)!;
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.resetCalls());

  const requestCalls = () => stack.emulator.calls({ route: 'requests.byEndpoint' });
  const historyCalls = () => stack.emulator.calls({ route: backend.historyRoute });
  const linesOf = (request: RequestWithLogs) => request.logs.edges.map((edge) => edge.node);

  function expectFirstPages(requests: readonly RequestWithLogs[], first: number) {
    for (const request of requests) {
      const stored = storedLinesOf(stack, request.requestId);
      expect(linesOf(request)).toEqual(stored.slice(0, first));
      expect(request.logs.pageInfo.hasNextPage).toBe(stored.length > first);
    }
  }

  describe('FalRequest.logs', () => {
    it('reads the first pages of 50 requests in one history call (v1) or one call per request (legacy)', async () => {
      const endpointIds = stack.emulator.fal.apps('demo').map((candidate) => candidate.id);
      const requests = await requestsWithLogs(stack, { endpointIds, first: 50, logs: 5 });
      expect(requests).toHaveLength(50);
      expect(requestCalls()).toHaveLength(1);
      const ids = requests.map((request) => request.requestId);
      if (backend.api === 'v1') {
        expect(historyCalls()).toHaveLength(1);
        expect(historyCalls()[0]!.body).toEqual([
          { key: 'fal_request_id', value: ids, condition_type: 'in' },
        ]);
      } else {
        expect(historyCalls().flatMap(requestIdsOf).sort()).toEqual([...ids].sort());
      }
      expectFirstPages(requests, 5);
    });

    it('pages one request alone with after, to the end, exactly once each', async () => {
      const requests = await requestsWithLogs(stack, { endpointIds: [app.id], first: 12, logs: 3 });
      const long = requests.filter((request) => storedLinesOf(stack, request.requestId).length > 7);
      expect(long.length).toBeGreaterThanOrEqual(3);
      for (const request of long.slice(0, 3)) {
        stack.emulator.resetCalls();
        const rest = await walkRequestLogs(stack, request, 2, request.logs.pageInfo.endCursor);
        expect([...linesOf(request), ...rest.lines]).toEqual(
          storedLinesOf(stack, request.requestId),
        );
        expect(historyCalls()).toHaveLength(rest.pages);
        for (const call of historyCalls()) expect(requestIdsOf(call)).toEqual([request.requestId]);
      }
    });

    it('applies minLevel and search, and refuses a cursor issued for other ones', async () => {
      const [request] = await requestsWithLogs(stack, {
        endpointIds: [app.id],
        first: 1,
        logs: 1,
        filter: { status: 'SUCCESS' },
      });
      const variables = { endpointId: request!.endpointId, requestId: request!.requestId };
      const filtered = await stack.graphql<{ falRequest: { logs: LogsPage } }>(
        `query ($endpointId: String!, $requestId: String!) {
        falRequest(endpointId: $endpointId, requestId: $requestId) {
          logs(first: 1, minLevel: INFO, search: "e") { pageInfo { endCursor } }
        }
      }`,
        variables,
      );
      expect(historyCalls().at(-1)!.query).toMatchObject({
        level: [backend.api === 'v1' ? 'info' : 'INFO'],
        search: ['e'],
      });
      stack.emulator.resetCalls();
      const mismatched = await stack.graphql(
        `query ($endpointId: String!, $requestId: String!, $after: String) {
        falRequest(endpointId: $endpointId, requestId: $requestId) {
          logs(after: $after) { pageInfo { endCursor } }
        }
      }`,
        { ...variables, after: filtered.data!.falRequest.logs.pageInfo.endCursor },
      );
      expect(mismatched.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(mismatched.errors![0]!.message).toMatch(/^after: /);
      expect(historyCalls()).toHaveLength(0);
    });
  });

  describe('FalRequest.logs when the shared page leaves requests short', () => {
    const page = { endpointIds: [] as string[], first: 10, filter: { status: 'SUCCESS' } };
    let crowding: RequestWithLogs;
    let straddling: RequestWithLogs;

    beforeAll(async () => {
      page.endpointIds = [app.id];
      const requests = await requestsWithLogs(stack, { ...page, logs: 1 });
      [crowding, straddling] = requests as [RequestWithLogs, RequestWithLogs];
      const stored = new Map(stack.emulator.fal.requests('demo').map((r) => [r.request_id, r]));
      const ended = Math.max(
        ...requests.map((r) => Date.parse(stored.get(r.requestId)!.ended_at!)),
      );
      const timestamp = new Date(ended + 1).toISOString();
      const line = (requestId: string, message: string) => ({
        timestamp,
        message,
        labels: { fal_request_id: requestId },
      });
      // Newer than every other line of the page. Equal timestamps come out newest-appended first:
      // 998 lines of one request, then 5 of another, so that a 1000-line page splits the 5.
      stack.emulator.fal.appendLines(
        'demo',
        Array.from({ length: 5 }, (_, i) => line(straddling.requestId, `straddling ${i}`)),
      );
      stack.emulator.fal.appendLines(
        'demo',
        Array.from({ length: 998 }, (_, i) => line(crowding.requestId, `crowding ${i}`)),
      );
    });

    it('continues the short ones together in one more call, exact across the timestamp they share', async () => {
      const requests = await requestsWithLogs(stack, { ...page, logs: 5 });
      expect(requests.map((r) => r.requestId)[0]).toBe(crowding.requestId);
      expectFirstPages(requests, 5);

      if (backend.api === 'v1') {
        const [shared, followUp, ...more] = historyCalls();
        expect(more).toEqual([]);
        expect(shared!.query.limit).toEqual(['1000']);
        expect(requestIdsOf(followUp!)).toEqual(
          requests.slice(1).map((request) => request.requestId),
        );
      }

      const short = requests[1]!;
      expect(short.requestId).toBe(straddling.requestId);
      const rest = await walkRequestLogs(stack, short, 3, short.logs.pageInfo.endCursor);
      expect([...linesOf(short), ...rest.lines]).toEqual(storedLinesOf(stack, short.requestId));
    });
  });
});
