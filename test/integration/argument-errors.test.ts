import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack, BOTH_KEYS } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

/**
 * A bad value, the argument path an error must name, and one query taking the value inline
 * (`VALUE`) and as the variable `$value` of the given type.
 */
const BAD_VALUES = [
  {
    named: 'filter.since',
    literal: '"yesterday"',
    value: 'yesterday',
    type: 'DateTime',
    query: '{ falLogs(filter: { since: VALUE }) { edges { node { message } } } }',
  },
  {
    named: 'filter.until',
    literal: '5',
    value: 5,
    type: 'DateTime',
    query: '{ workflowLogs(filter: { until: VALUE }) { edges { node { logId } } } }',
  },
  {
    named: 'filter.since',
    literal: '"2024-13-45"',
    value: '2024-13-45',
    type: 'DateTime',
    query:
      '{ falRequests(endpointIds: ["acme/flux-studio"], filter: { since: VALUE }) { edges { node { requestId } } } }',
  },
  {
    named: 'filter.minLevel',
    literal: 'LOUD',
    value: 'LOUD',
    type: 'LogLevel',
    query: '{ falLogs(filter: { minLevel: VALUE }) { edges { node { message } } } }',
  },
  {
    named: 'first',
    literal: '"ten"',
    value: 'ten',
    type: 'Int',
    query: '{ falLogs(first: VALUE) { edges { node { message } } } }',
  },
];

describe('a bad input value names its argument and where it is, and calls no upstream', () => {
  async function expectNamedRefusal(
    query: string,
    variables: Record<string, unknown> | undefined,
    named: string,
  ) {
    const response = await stack.graphql(query, variables, BOTH_KEYS);
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    expect(error!.message).toContain(named);
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error).toHaveProperty('locations', [expect.objectContaining({ line: 1 })]);
    expect(stack.emulator.calls()).toEqual([]);
  }

  it.each(BAD_VALUES)(
    '$named: $literal, inline and as a variable',
    async ({ named, literal, value, type, query }) => {
      await expectNamedRefusal(
        query.replace('VALUE', literal),
        undefined,
        `Invalid argument ${named}: `,
      );
      // graphql-js names a variable by its own name.
      const leaf = named.split('.').at(-1)!;
      await expectNamedRefusal(
        `query ($${leaf}: ${type}) ${query.replace('VALUE', `$${leaf}`)}`,
        { [leaf]: value },
        `Variable "$${leaf}" got invalid value`,
      );
    },
  );

  it("a variable's bad default value is located", async () => {
    const response = await stack.graphql(
      'query ($since: DateTime = "yesterday") { falLogs(filter: { since: $since }) { edges { node { message } } } }',
      undefined,
      BOTH_KEYS,
    );
    expect(response.errors![0]!.message).toMatch(/DateTime must be .*, got "yesterday"/);
    expect(response.errors![0]).toHaveProperty('locations', [{ line: 1, column: 27 }]);
  });
});
