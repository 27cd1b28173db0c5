import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Route } from '../../src/emulator/index.js';
import { appendLiveLines } from '../support/live-lines.js';
import { MiB, retainedBytes } from '../support/memory.js';
import { sseClient, subscribe, until, type Received } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';

// Both bounds at their defaults: these are the tests of what an operator gets out of the box.
const MAX_BODY_BYTES = 32 * MiB;
const MAX_EVENT_BYTES = MiB;
/** What may stay allocated after a bound was hit: far below the megabytes read on the way. */
const RETAINED_MARGIN = 8 * MiB;

const FAL_QUERY = '{ falLogs(first: 3) { edges { node { message } } } }';
const DIFY_QUERY = '{ workflowLogs(first: 3) { edges { node { logId } } } }';
const TAIL = 'subscription { falLogs { timestamp message } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { TAIL_BACKOFF_BASE_MS: '5', TAIL_BACKOFF_MAX_MS: '50', TAIL_RECONNECT_ATTEMPTS: '3' },
  });
  // Everything loaded lazily (compiled documents, the SSE handler) is loaded before a baseline.
  await stack.graphql(FAL_QUERY);
  await stack.graphql(DIFY_QUERY, {}, DIFY_AUTH);
  const warmTail = tail();
  await until(() => stack.emulator.inFlight() === 1, 5_000, 'the upstream stream');
  await appendLiveLines(stack.emulator, 1, 'warm-up');
  await warmTail.waitFor(1);
  warmTail.dispose();
});
afterAll(() => stack.close());

const clients: Array<{ dispose(): void }> = [];
beforeEach(() => stack.emulator.resetCalls());
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  stack.emulator.clearFaults();
  await until(() => stack.emulator.inFlight() === 0, 5_000, 'upstream calls to end');
  stack.emulator.resetCalls();
});

function tail(): Received<string> {
  const client = sseClient(stack.url, 'distinct', FAL_AUTH);
  clients.push(client);
  return subscribe(client, TAIL, {}, (data) => (data.falLogs as { message: string }).message);
}

/**
 * The upstream call was made once, not retried, and is over; a body that never ends was given up
 * on (its connection closed).
 */
async function expectOneCall(route: Route, { abandoned = true } = {}) {
  await until(() => stack.emulator.inFlight() === 0, 5_000, 'the upstream call to be dropped');
  const calls = stack.emulator.calls({ route });
  expect(calls).toHaveLength(1);
  if (abandoned) expect(calls[0]?.abandoned).toBe(true);
}

describe('a response body past UPSTREAM_MAX_BODY_BYTES', () => {
  it.each([
    ['fal', 'logs.history', FAL_QUERY, FAL_AUTH],
    ['dify', 'workflows.logs', DIFY_QUERY, DIFY_AUTH],
  ] as const)('%s: an endless body fails the field with UPSTREAM_ERROR', async (...args) => {
    const [source, route, query, headers] = args;
    const before = retainedBytes();
    stack.emulator.setFault(route, { endlessBody: true });
    const response = await stack.graphql(query, {}, headers);
    expect(response.errors).toHaveLength(1);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      source,
      upstreamStatus: 200,
    });
    expect(response.errors?.[0]?.message).toContain(
      `UPSTREAM_MAX_BODY_BYTES (${MAX_BODY_BYTES} bytes)`,
    );
    await expectOneCall(route);
    expect(retainedBytes() - before).toBeLessThan(RETAINED_MARGIN);
  });

  it('a page holding one 50 MiB log line fails with UPSTREAM_ERROR; other fields still answer', async () => {
    // A flat string: one built by repeat() is flattened (50 MiB more) when first serialised.
    const message = Buffer.alloc(50 * MiB, 'x').toString('latin1');
    stack.emulator.fal.appendLines('demo', [{ message }]);
    const before = retainedBytes();
    const response = await stack.graphql(
      `{ falLogs(first: 3) { edges { node { message } } }
         workflowLogs(first: 1) { edges { node { logId } } } }`,
      {},
      {
        'x-fal-authorization': FAL_AUTH.authorization,
        'x-dify-authorization': DIFY_AUTH.authorization,
      },
    );
    expect(response.errors).toMatchObject([
      { path: ['falLogs'], extensions: { code: 'UPSTREAM_ERROR', source: 'fal' } },
    ]);
    expect(response.errors?.[0]?.message).toContain('UPSTREAM_MAX_BODY_BYTES');
    expect(response.data).toMatchObject({ workflowLogs: { edges: [{}] } });
    // A body ended at once counts as sent for the emulator, read or not.
    await expectOneCall('logs.history', { abandoned: false });
    expect(retainedBytes() - before).toBeLessThan(RETAINED_MARGIN);
  });
});

describe('a live-stream event past UPSTREAM_MAX_EVENT_BYTES ends the tail at once', () => {
  it.each([
    ['a data line that never ends', { endlessBody: true }],
    ['an event that never ends', { endlessEvent: true }],
  ] as const)('%s', async (_, fault) => {
    const before = retainedBytes();
    stack.emulator.setFault('logs.stream', fault);
    const received = tail();
    await received.ended;
    expect(received.errors).toMatchObject([
      { extensions: { code: 'UPSTREAM_ERROR', source: 'fal', upstreamStatus: 200 } },
    ]);
    expect(JSON.stringify(received.errors)).toContain(
      `UPSTREAM_MAX_EVENT_BYTES (${MAX_EVENT_BYTES} bytes)`,
    );
    await expectOneCall('logs.stream');
    expect(retainedBytes() - before).toBeLessThan(RETAINED_MARGIN);
  });

  it('a 2 MiB log line: the lines before it arrive, then the error', async () => {
    const received = tail();
    await until(() => stack.emulator.inFlight() === 1, 5_000, 'the upstream stream');
    await appendLiveLines(stack.emulator, 3, 'before');
    await received.waitFor(3);
    const before = retainedBytes();
    stack.emulator.fal.appendLines('demo', [
      { message: Buffer.alloc(2 * MiB, 'y').toString('latin1') },
    ]);
    await received.ended;
    expect(received.values).toEqual(['before #0', 'before #1', 'before #2']);
    expect(JSON.stringify(received.errors)).toContain('UPSTREAM_MAX_EVENT_BYTES');
    await expectOneCall('logs.stream');
    expect(retainedBytes() - before).toBeLessThan(RETAINED_MARGIN);
  });

  it('a line just under the bound is delivered', async () => {
    const received = tail();
    await until(() => stack.emulator.inFlight() === 1, 5_000, 'the upstream stream');
    const message = 'z'.repeat(MAX_EVENT_BYTES - 1024);
    stack.emulator.fal.appendLines('demo', [{ message }]);
    expect(await received.waitFor(1)).toEqual([message]);
    expect(received.errors).toEqual([]);
  });
});
