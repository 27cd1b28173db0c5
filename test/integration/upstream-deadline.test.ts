import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage } from '../support/memory.js';
import { until } from '../support/sse-client.js';
import { DIFY_AUTH, startStack, type Stack } from '../support/stack.js';

const DEADLINE_MS = 1_500;
const FAL_QUERY = '{ falLogs(first: 3) { edges { node { message } } } }';
const DIFY_QUERY = '{ workflowLogs(first: 3) { edges { node { logId } } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { REQUEST_DEADLINE_MS: String(DEADLINE_MS) } });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

/**
 * Runs `run` with two full garbage collections while it waits on the upstream, as a busy gateway
 * has: what keeps the deadline must not be something a collection can take away. (A collection
 * here takes up to a few hundred ms, so they are done well before the deadline.)
 */
async function timedWithGc<T>(run: () => Promise<T>): Promise<{ result: T; elapsed: number }> {
  const collections = [300, 700].map((ms) => setTimeout(collectGarbage, ms));
  const started = Date.now();
  try {
    const result = await run();
    return { result, elapsed: Date.now() - started };
  } finally {
    collections.forEach(clearTimeout);
  }
}

const upstreamReleased = () =>
  until(
    () => stack.emulator.inFlight() === 0 && stack.emulator.calls().every((c) => c.abandoned),
    2_000,
    'the upstream calls to be abandoned',
  );

describe('the request deadline while an upstream body trickles in after a 200', () => {
  it.each([
    ['fal', 'logs.history', FAL_QUERY, undefined],
    ['dify', 'workflows.logs', DIFY_QUERY, DIFY_AUTH],
  ] as const)('%s: UPSTREAM_TIMEOUT at the deadline', async (source, route, query, headers) => {
    stack.emulator.setFault(route, { trickleBodyMs: 50 });
    const { result, elapsed } = await timedWithGc(() => stack.graphql(query, {}, headers));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source });
    expect(result.errors?.[0]?.message).toMatch(/deadline/);
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 1_000);
    expect(stack.emulator.calls({ route })).toHaveLength(1);
    await upstreamReleased();
  });

  it('keeps it for each of many concurrent queries', async () => {
    stack.emulator.setFault('logs.history', { trickleBodyMs: 50 });
    const { result, elapsed } = await timedWithGc(() =>
      Promise.all(Array.from({ length: 12 }, () => stack.graphql(FAL_QUERY))),
    );
    for (const response of result) {
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    }
    expect(elapsed).toBeLessThan(DEADLINE_MS + 1_500);
    expect(stack.emulator.calls({ route: 'logs.history' })).toHaveLength(12);
    await upstreamReleased();
  });
});
