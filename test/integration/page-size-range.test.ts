import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack, BOTH_KEYS } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

/** Each connection, its largest `first`, and a query taking `first` as `$first`. */
const CONNECTIONS = [
  [
    'falLogs',
    5000,
    'query ($first: Int) { falLogs(first: $first) { edges { node { message } } } }',
  ],
  [
    'falRequests',
    500,
    'query ($first: Int) { falRequests(endpointIds: ["acme/flux-studio"], first: $first) { edges { node { requestId } } } }',
  ],
  [
    'workflowLogs',
    500,
    'query ($first: Int) { workflowLogs(first: $first) { edges { node { logId } } } }',
  ],
  [
    'FalRequest.logs',
    1000,
    'query ($first: Int) { falRequests(endpointIds: ["acme/flux-studio"], first: 2) { edges { node { logs(first: $first) { edges { node { message } } } } } } }',
  ],
] as const;

const inline = (query: string, first: number) =>
  query.replace('query ($first: Int) ', '').replace('$first', String(first));

describe('a page size out of range is refused as such, naming first and its range', () => {
  const cases = CONNECTIONS.flatMap(([field, max, query]) =>
    [max + 1, 100_000, 0].flatMap((first) => [
      [field, max, first, 'inline', inline(query, first), undefined] as const,
      [field, max, first, 'as a variable', query, { first }] as const,
    ]),
  );

  it.each(cases)(
    '%s (1 to %i) refuses first: %i given %s',
    async (_field, max, first, _how, query, variables) => {
      const response = await stack.graphql(query, variables, BOTH_KEYS);
      expect(response.status).toBeLessThan(500);
      expect(response.data ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      const [error] = response.errors!;
      expect(error!.message).toBe(`Invalid argument first: must be 1 to ${max}, got ${first}`);
      expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(error).toHaveProperty('locations', [expect.objectContaining({ line: 1 })]);
      expect(stack.emulator.calls()).toEqual([]);
    },
  );

  it('the largest page of each connection still passes the range check', async () => {
    for (const [, max, query] of CONNECTIONS.slice(0, 3)) {
      const response = await stack.graphql(query, { first: max }, BOTH_KEYS);
      expect(response.errors).toBeUndefined();
    }
  });
});
