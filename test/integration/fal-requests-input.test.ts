import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS, type FalApp } from '../../src/emulator/index.js';
import { credentialCases } from '../support/credential-cases.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { REQUESTS_PAGE, type GatewayRequest, type RequestsPage } from '../support/fal-requests.js';

let stack: Stack;
let app: FalApp;

beforeAll(async () => {
  stack = await startStack();
  app = stack.emulator.fal.apps('demo')[0]!;
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

const upstreamCalls = () => stack.emulator.calls({ source: 'fal' }).length;

const REQUEST = `query ($endpointId: String!, $requestId: String!) {
  falRequest(endpointId: $endpointId, requestId: $requestId) { id requestId endpointId statusCode }
}`;

const LOGS = `query ($endpointId: String!, $requestId: String!, $first: Int) {
  falRequest(endpointId: $endpointId, requestId: $requestId) {
    requestId logs(first: $first) { edges { cursor } }
  }
}`;

function storedRequest(index = 0) {
  return stack.emulator.fal.requests('demo').filter((row) => row.endpoint_id.startsWith(app.id))[
    index
  ]!;
}

describe('bad input is refused before any upstream call', () => {
  it.each([
    ['an empty endpointIds list', { endpointIds: [] }, /endpointIds/],
    [
      '51 endpoint ids',
      { endpointIds: Array.from({ length: 51 }, (_, i) => `acme/app-${i}`) },
      /endpointIds/,
    ],
    ['an endpoint id without an owner', { endpointIds: ['lonely'] }, /endpointIds/],
    ['first 0', { first: 0 }, /first/],
    ['first 501', { first: 501 }, /first/],
    ['an unknown order', { orderBy: 'STARTED_AT' }, /orderBy/],
    ['a cursor that is not one', { after: 'bm90LWEtY3Vyc29y' }, /after/],
    ['a date that is not one', { filter: { since: 'last tuesday' } }, /since/],
    ['an impossible date', { filter: { until: '2025-02-30' } }, /until/],
    ['until before since', { filter: { since: '2025-01-02', until: '2025-01-01' } }, /until/],
    ['a request id that is not one', { filter: { requestId: 'req_1' } }, /requestId/],
    ['the PENDING status', { filter: { status: 'PENDING' } }, /filter\.status/],
  ])('falRequests with %s', async (_, variables, field) => {
    const response = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [app.id],
      ...variables,
    });
    expect(response.data?.falRequests ?? null).toBeNull();
    expect(response.errors?.length).toBeGreaterThan(0);
    for (const error of response.errors!) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors!.map((error) => error.message).join(' ')).toMatch(field);
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses a tampered cursor and one issued for other arguments', async () => {
    const first = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [app.id],
      first: 2,
    });
    const cursor = first.data!.falRequests!.pageInfo.endCursor!;
    stack.emulator.resetCalls();

    const bytes = Buffer.from(cursor, 'base64url');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0x01, bytes.length - 3);
    const tampered = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [app.id],
      first: 2,
      after: bytes.toString('base64url'),
    });
    expect(tampered.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tampered.errors![0]!.message).toMatch(/^after: /);

    const otherOrder = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [app.id],
      orderBy: 'DURATION',
      after: cursor,
    });
    expect(otherOrder.errors![0]!.message).toMatch(/^after: .*different/);
    expect(upstreamCalls()).toBe(0);
  });

  it.each([
    ['a request id that is not one', { requestId: 'req_1' }, /requestId/],
    ['an endpoint id without an owner', { endpointId: 'lonely' }, /endpointId/],
  ])('falRequest with %s', async (_, variables, field) => {
    const row = storedRequest();
    const response = await stack.graphql(REQUEST, {
      endpointId: row.endpoint_id,
      requestId: row.request_id,
      ...variables,
    });
    expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(field);
    expect(upstreamCalls()).toBe(0);
  });

  it.each([0, 1001])('FalRequest.logs with first %i, before the history call', async (first) => {
    const row = storedRequest();
    const response = await stack.graphql(LOGS, {
      endpointId: row.endpoint_id,
      requestId: row.request_id,
      first,
    });
    expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(/first/);
    expect(stack.emulator.calls({ route: 'logs.history' })).toHaveLength(0);
  });

  it('a FalRequest id that is not one', async () => {
    const id = Buffer.from('FalRequest:no-endpoint').toString('base64');
    const response = await stack.graphql(`{ node(id: "${id}") { id } }`);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(upstreamCalls()).toBe(0);
  });
});

describe('auth forwarding', () => {
  credentialCases({
    stack: () => stack,
    source: 'fal',
    query: REQUESTS_PAGE,
    field: 'falRequests',
    variables: () => ({ endpointIds: [app.id], first: 1 }),
    ownKey: FAL_AUTH,
    refusedKey: { authorization: 'Key wrong-key:wrong-secret' },
    otherSourceOnly: DIFY_AUTH,
    sourceHeader: 'x-fal-authorization',
  });

  const page = () =>
    stack.graphql<RequestsPage>(REQUESTS_PAGE, { endpointIds: [app.id], first: 1 });

  it('prefers X-Fal-Authorization, and serves each key its own requests', async () => {
    const other = stack.emulator.fal.apps('other')[0]!;
    const response = await stack.graphql<RequestsPage>(
      REQUESTS_PAGE,
      { endpointIds: [other.id], first: 3 },
      { ...DIFY_AUTH, 'x-fal-authorization': `Key ${DEMO_KEYS.falOther}` },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.falRequests!.edges.length).toBeGreaterThan(0);
    expect(stack.emulator.calls({ source: 'fal' })[0]!.authorization).toBe(
      `Key ${DEMO_KEYS.falOther}`,
    );
    const demoKey = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [other.id],
      first: 3,
    });
    expect(demoKey.data!.falRequests!.edges).toEqual([]);
    expect(await page().then((r) => r.data!.falRequests!.edges.length)).toBe(1);
  });

  it.each([
    ['no header at all', {}],
    ['only a Dify key', DIFY_AUTH],
  ])(
    'fails falRequests, falRequest and node alone with UNAUTHENTICATED: %s',
    async (_, headers) => {
      const row = storedRequest();
      const id = Buffer.from(`FalRequest:${row.endpoint_id}:${row.request_id}`).toString('base64');
      const response = await stack.graphql(
        `query ($endpointIds: [String!]!, $endpointId: String!, $requestId: String!, $id: ID!) {
        falRequests(endpointIds: $endpointIds) { edges { cursor } }
        falRequest(endpointId: $endpointId, requestId: $requestId) { requestId }
        node(id: $id) { id }
      }`,
        { endpointIds: [app.id], endpointId: row.endpoint_id, requestId: row.request_id, id },
        headers,
      );
      expect(response.data).toEqual({ falRequests: null, falRequest: null, node: null });
      expect(response.errors).toHaveLength(3);
      for (const error of response.errors!) {
        expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', source: 'fal' });
      }
      expect(upstreamCalls()).toBe(0);
    },
  );
});

describe('refetching', () => {
  it('refetches requests by global id with node and nodes, one lookup per request', async () => {
    const listed = await stack.graphql<RequestsPage>(REQUESTS_PAGE, {
      endpointIds: [app.id],
      first: 5,
    });
    const requests = listed.data!.falRequests!.edges.map((edge) => edge.node);
    for (const request of requests) {
      expect(Buffer.from(request.id, 'base64').toString()).toBe(
        `FalRequest:${request.endpointId}:${request.requestId}`,
      );
    }
    stack.emulator.resetCalls();

    const fields = 'id requestId endpointId status statusCode endedAt duration';
    const response = await stack.graphql<{
      node: GatewayRequest;
      nodes: GatewayRequest[];
    }>(
      `query ($id: ID!, $ids: [ID!]!) {
        node(id: $id) { ... on FalRequest { ${fields} } }
        nodes(ids: $ids) { ... on FalRequest { ${fields} } }
      }`,
      { id: requests[0]!.id, ids: [...requests.map((request) => request.id), requests[1]!.id] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.node).toEqual(requests[0]);
    expect(response.data!.nodes).toEqual([...requests, requests[1]]);

    const calls = stack.emulator.calls({ route: 'requests.byEndpoint' });
    expect(calls).toHaveLength(requests.length);
    expect(new Set(calls.map((call) => call.query.request_id![0]))).toEqual(
      new Set(requests.map((request) => request.requestId)),
    );
    for (const call of calls) expect(call.query.start).toBeUndefined();
  });

  it('finds a request up to 90 days old with falRequest, and null for an unknown one', async () => {
    const old = stack.emulator.fal
      .requests('demo')
      .find((row) => Date.parse(row.sent_at) < Date.now() - 30 * 24 * 3_600_000)!;
    const found = await stack.graphql<{ falRequest: GatewayRequest | null }>(REQUEST, {
      endpointId: old.endpoint_id.split('/').slice(0, 2).join('/'),
      requestId: old.request_id,
    });
    expect(found.data!.falRequest).toMatchObject({
      requestId: old.request_id,
      endpointId: old.endpoint_id,
      statusCode: old.status_code,
    });
    const missing = await stack.graphql<{ falRequest: GatewayRequest | null }>(REQUEST, {
      endpointId: app.id,
      requestId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing).toMatchObject({ data: { falRequest: null } });
    expect(missing.errors).toBeUndefined();
  });

  it('reads a status code outside 2xx, 4xx and 5xx as a null status', async () => {
    const row = { ...storedRequest(40), request_id: randomUUID(), status_code: 302 };
    stack.emulator.fal.upsertRequest('demo', row);
    const response = await stack.graphql<{ falRequest: { status: string | null } }>(
      `query ($endpointId: String!, $requestId: String!) {
        falRequest(endpointId: $endpointId, requestId: $requestId) { status statusCode }
      }`,
      { endpointId: row.endpoint_id, requestId: row.request_id },
    );
    expect(response.data).toEqual({ falRequest: { status: null, statusCode: 302 } });
  });

  it('maps an upstream failure on the field and keeps its classification', async () => {
    stack.emulator.setFault('requests.byEndpoint', { status: 503 });
    const response = await stack.graphql<RequestsPage>(REQUESTS_PAGE, { endpointIds: [app.id] });
    expect(response.data).toEqual({ falRequests: null });
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      source: 'fal',
      upstreamStatus: 503,
    });
  });
});
