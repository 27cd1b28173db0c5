import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startStack, type Stack } from '../support/stack.js';

const QUERY = '{ falLogs(first: 3) { edges { node { message } } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      UPSTREAM_HEADERS_TIMEOUT_MS: '300',
      UPSTREAM_RETRY_BASE_MS: '20',
      UPSTREAM_RETRY_ATTEMPTS: '3',
      UPSTREAM_MAX_RETRY_AFTER_MS: '3000',
    },
  });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

const historyCalls = () => stack.emulator.calls({ route: 'logs.history' });

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await run();
  return [result, Date.now() - started];
}

describe('retries of idempotent reads', () => {
  it('retries a 429 after its Retry-After and then succeeds', async () => {
    stack.emulator.setFault('logs.history', { status: 429, retryAfterSeconds: 1, times: 1 });
    const [response, elapsed] = await timed(() => stack.graphql(QUERY));
    expect(response.errors).toBeUndefined();
    expect(historyCalls()).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a persistent 429 with RATE_LIMITED and the upstream retryAfter', async () => {
    stack.emulator.setFault('logs.history', { status: 429, retryAfterSeconds: 0 });
    const response = await stack.graphql(QUERY);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 0 });
    expect(historyCalls()).toHaveLength(3);
  });

  it('does not wait out a Retry-After longer than it may, and says how long to wait', async () => {
    stack.emulator.setFault('logs.history', { status: 429, retryAfterSeconds: 30 });
    const [response, elapsed] = await timed(() => stack.graphql(QUERY));
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30 });
    expect(historyCalls()).toHaveLength(1);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('retries a 500 and then succeeds', async () => {
    stack.emulator.setFault('logs.history', { status: 500, times: 1 });
    const response = await stack.graphql(QUERY);
    expect(response.errors).toBeUndefined();
    expect(historyCalls()).toHaveLength(2);
  });

  it('gives up on a persistent 500 with UPSTREAM_ERROR after the configured attempts', async () => {
    stack.emulator.setFault('logs.history', { status: 500 });
    const response = await stack.graphql(QUERY);
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      source: 'fal',
      upstreamStatus: 500,
    });
    expect(historyCalls()).toHaveLength(3);
  });

  it('retries a connection reset mid-body and then succeeds', async () => {
    stack.emulator.setFault('logs.history', { resetMidBody: true, times: 1 });
    const response = await stack.graphql(QUERY);
    expect(response.errors).toBeUndefined();
    expect(historyCalls()).toHaveLength(2);
  });

  it('never retries a refused key or a malformed body', async () => {
    const refused = await stack.graphql(QUERY, {}, { authorization: 'Key nobody:nothing' });
    expect(refused.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(historyCalls()).toHaveLength(1);

    stack.emulator.resetCalls();
    stack.emulator.setFault('logs.history', { malformedBody: true });
    const malformed = await stack.graphql(QUERY);
    expect(malformed.errors![0]!.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(historyCalls()).toHaveLength(1);
  });

  it('does not retry a hang: UPSTREAM_TIMEOUT well inside the deadline', async () => {
    stack.emulator.setFault('logs.history', { hang: true });
    const [response, elapsed] = await timed(() => stack.graphql(QUERY));
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      source: 'fal',
    });
    expect(historyCalls()).toHaveLength(1);
    expect(elapsed).toBeLessThan(5_000);
  });
});

describe('the per-request deadline', () => {
  let short: Stack;
  beforeAll(async () => {
    short = await startStack({
      env: { REQUEST_DEADLINE_MS: '600', UPSTREAM_RETRY_BASE_MS: '20' },
    });
  });
  afterAll(() => short.close());
  beforeEach(() => {
    short.emulator.clearFaults();
    short.emulator.resetCalls();
  });

  it('cuts a slow upstream off at the deadline with UPSTREAM_TIMEOUT', async () => {
    short.emulator.setFault('logs.history', { latencyMs: 3_000 });
    const [response, elapsed] = await timed(() => short.graphql(QUERY));
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      source: 'fal',
    });
    expect(response.errors![0]!.message).toMatch(/deadline/);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('skips a retry that could not finish before the deadline', async () => {
    short.emulator.setFault('logs.history', { status: 429, retryAfterSeconds: 2 });
    const [response, elapsed] = await timed(() => short.graphql(QUERY));
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 2 });
    expect(short.emulator.calls({ route: 'logs.history' })).toHaveLength(1);
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('cancellation and request ids', () => {
  it('aborts its upstream calls when the client goes away', async () => {
    stack.emulator.setFault('logs.history', { latencyMs: 3_000 });
    const client = new AbortController();
    const pending = request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Key demo-fal-key:demo-fal-secret',
      },
      body: JSON.stringify({ query: QUERY }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    while (stack.emulator.inFlight() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    await pending;
    const started = Date.now();
    while (!historyCalls()[0]?.abandoned && Date.now() - started < 1_000) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(historyCalls()[0]?.abandoned).toBe(true);
    expect(stack.emulator.inFlight()).toBe(0);
  });

  it('echoes a sane x-request-id and sends it upstream; makes one up otherwise', async () => {
    const given = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Key demo-fal-key:demo-fal-secret',
        'x-request-id': 'dashboard-42',
      },
      body: JSON.stringify({ query: QUERY }),
    });
    await given.body.text();
    expect(given.headers['x-request-id']).toBe('dashboard-42');
    expect(historyCalls()[0]!.requestId).toBe('dashboard-42');

    stack.emulator.resetCalls();
    const made = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Key demo-fal-key:demo-fal-secret',
        'x-request-id': 'far-too-long-'.repeat(20),
      },
      body: JSON.stringify({ query: QUERY }),
    });
    await made.body.text();
    const id = made.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(historyCalls()[0]!.requestId).toBe(id);
  });
});
