import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FalApp } from '../../src/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';
import {
  appIdOf,
  ids,
  REQUESTS_PAGE,
  repeated,
  upstreamRequests,
  walkRequests,
  type RequestsPage,
} from '../support/fal-requests.js';

const HOUR = 3_600_000;

let stack: Stack;
let apps: readonly FalApp[];
let multiRoute: FalApp;
let window: { since: string; until: string };

beforeAll(async () => {
  stack = await startStack();
  apps = stack.emulator.fal.apps('demo');
  multiRoute = apps.find((app) => app.endpoints.length > 1)!;
  const newest = Math.max(...stack.emulator.fal.requests('demo').map((r) => Date.parse(r.sent_at)));
  window = {
    since: new Date(newest - 20 * HOUR).toISOString(),
    until: new Date(newest - 2_000).toISOString(),
  };
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

const upstreamWindow = () => ({ start: window.since, end: window.until });

describe('walking falRequests to the end', () => {
  it.each([1, 7, 20, 99, 100, 101])(
    'yields every request of an app and its routes once, in upstream order, with first=%i',
    async (first) => {
      const expected = await upstreamRequests(stack, {
        endpoint_id: multiRoute.id,
        ...upstreamWindow(),
      });
      expect(new Set(expected.map((row) => row.endpoint_id)).size).toBeGreaterThan(1);
      stack.emulator.resetCalls();

      const { requests, pages } = await walkRequests(
        stack,
        { endpointIds: [multiRoute.id], filter: window },
        first,
      );
      expect(ids(requests)).toEqual(expected.map((row) => row.request_id));
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / first)));
      const calls = stack.emulator.calls({ route: 'requests.byEndpoint' });
      for (const call of calls) {
        expect(Number(call.query.limit![0])).toBeLessThanOrEqual(100);
        expect(call.query).toMatchObject({ start: [window.since], end: [window.until] });
      }
    },
  );

  it.each([250, 500])(
    'serves first=%i from several upstream pages of at most 100 across all apps',
    async (first) => {
      const endpointIds = apps.map((app) => app.id);
      const expected = await upstreamRequests(stack, {
        endpoint_id: endpointIds,
        ...upstreamWindow(),
      });
      expect(expected.length).toBeGreaterThan(first / 2);
      stack.emulator.resetCalls();

      const { requests } = await walkRequests(stack, { endpointIds, filter: window }, first);
      expect(ids(requests)).toEqual(expected.map((row) => row.request_id));
      const calls = stack.emulator.calls({ route: 'requests.byEndpoint' });
      expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 100));
      expect(calls.length).toBeLessThanOrEqual(Math.ceil(expected.length / 100) + 4);
    },
  );

  it('orders by duration on request, longest first after the pending ones', async () => {
    const endpointIds = [apps[0]!.id, apps[1]!.id];
    const expected = await upstreamRequests(stack, {
      endpoint_id: endpointIds,
      sort_by: 'duration',
      ...upstreamWindow(),
    });
    stack.emulator.resetCalls();
    const { requests } = await walkRequests(
      stack,
      { endpointIds, filter: window, orderBy: 'DURATION' },
      30,
    );
    expect(ids(requests)).toEqual(expected.map((row) => row.request_id));
    for (const call of stack.emulator.calls({ route: 'requests.byEndpoint' })) {
      expect(call.query.sort_by).toEqual(['duration']);
    }
  });

  it('keeps a route-level endpoint id to that route', async () => {
    const route = multiRoute.endpoints[1]!;
    const { requests } = await walkRequests(stack, { endpointIds: [route] }, 100);
    expect(requests.length).toBeGreaterThan(0);
    expect(new Set(requests.map((request) => request.endpointId))).toEqual(new Set([route]));
  });
});

describe('filters', () => {
  it.each([
    ['SUCCESS', 'success', 2],
    ['USER_ERROR', 'user_error', 4],
    ['ERROR', 'error', 5],
  ] as const)('maps status %s to the upstream status %s', async (status, upstream, codeClass) => {
    const endpointIds = apps.map((app) => app.id);
    const expected = await upstreamRequests(stack, {
      endpoint_id: endpointIds,
      status: upstream,
      ...upstreamWindow(),
    });
    expect(expected.length).toBeGreaterThan(0);
    stack.emulator.resetCalls();

    const { requests } = await walkRequests(
      stack,
      { endpointIds, filter: { ...window, status } },
      100,
    );
    expect(ids(requests)).toEqual(expected.map((row) => row.request_id));
    for (const request of requests) {
      expect(request.status).toBe(status);
      expect(Math.floor(request.statusCode! / 100)).toBe(codeClass);
    }
    expect(stack.emulator.calls({ route: 'requests.byEndpoint' })[0]!.query.status).toEqual([
      upstream,
    ]);
  });

  it('treats since as inclusive and until as exclusive on when a request was sent', async () => {
    const rows = stack.emulator.fal
      .requests('demo')
      .filter((row) => appIdOf(row.endpoint_id) === multiRoute.id);
    const [newer, older] = [rows[3]!, rows[10]!];
    const { requests } = await walkRequests(
      stack,
      { endpointIds: [multiRoute.id], filter: { since: older.sent_at, until: newer.sent_at } },
      100,
    );
    const sent = new Map(rows.map((row) => [row.request_id, Date.parse(row.sent_at)]));
    const expected = rows.filter(
      (row) =>
        Date.parse(row.sent_at) >= Date.parse(older.sent_at) &&
        Date.parse(row.sent_at) < Date.parse(newer.sent_at),
    );
    expect(new Set(ids(requests))).toEqual(new Set(expected.map((row) => row.request_id)));
    expect(ids(requests)).toContain(older.request_id);
    expect(ids(requests)).not.toContain(newer.request_id);
    for (const request of requests) expect(sent.has(request.requestId)).toBe(true);
  });

  it('finds one request by id in the last 90 days when no since is given', async () => {
    const old = stack.emulator.fal
      .requests('demo')
      .find((row) => Date.parse(row.sent_at) < Date.now() - 30 * 24 * HOUR)!;
    const { requests } = await walkRequests(
      stack,
      { endpointIds: [appIdOf(old.endpoint_id)], filter: { requestId: old.request_id } },
      5,
    );
    expect(ids(requests)).toEqual([old.request_id]);
    const [call] = stack.emulator.calls({ route: 'requests.byEndpoint' });
    const start = Date.parse(call!.query.start![0]!);
    const end = Date.parse(call!.query.end![0]!);
    expect(end - start).toBe(90 * 24 * HOUR);
    expect(call!.query.request_id).toEqual([old.request_id]);
  });

  it('refuses PENDING as a status filter rather than answer it wrongly, without a call', async () => {
    const response = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [multiRoute.id],
      filter: { status: 'PENDING' },
    });
    expect(response.data).toEqual({ falRequests: null });
    expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(/filter\.status/);
    expect(stack.emulator.calls()).toHaveLength(0);
  });
});

describe('status', () => {
  it('derives the status from the status code class, PENDING without one', async () => {
    const endpointIds = apps.map((app) => app.id);
    const { requests } = await walkRequests(stack, { endpointIds }, 500);
    const stored = new Map(stack.emulator.fal.requests('demo').map((r) => [r.request_id, r]));
    const seen = new Set<string | null>();
    for (const request of requests) {
      const code = stored.get(request.requestId)!.status_code;
      expect(request.statusCode).toBe(code);
      const expected =
        code === null
          ? 'PENDING'
          : ({ 2: 'SUCCESS', 4: 'USER_ERROR', 5: 'ERROR' } as Record<number, string>)[
              Math.floor(code / 100)
            ];
      expect(request.status).toBe(expected);
      seen.add(request.status);
    }
    expect(seen).toEqual(new Set(['SUCCESS', 'USER_ERROR', 'ERROR', 'PENDING']));
    expect(repeated(ids(requests))).toEqual([]);
  });
});
