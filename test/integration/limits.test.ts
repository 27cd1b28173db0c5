import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { exampleOperations } from '../../src/operations.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { startStack, type GraphQLResponse, type Stack, BOTH_KEYS } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

const ask = <Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
  stack.graphql<Data>(query, variables, BOTH_KEYS);

function expectRefused(response: GraphQLResponse, message: RegExp) {
  expect(response.status).toBeLessThan(500);
  expect(response.data ?? null).toBeNull();
  expect(response.errors).toEqual([
    expect.objectContaining({ message: expect.stringMatching(message) as string }),
  ]);
  expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect(stack.emulator.calls()).toEqual([]);
}

/** Requests with their logs, `logsLevels` times over through FalLogLine.request. */
function nestedRequestLogs(logsLevels: number, first: number): string {
  let selection = 'message';
  for (let level = 1; level < logsLevels; level += 1) {
    selection = `message request { requestId logs(first: ${first}) { edges { node { ${selection} } } } }`;
  }
  return `{ falRequests(endpointIds: ["acme/flux-studio"], first: ${first}) {
    edges { node { id logs(first: ${first}) { edges { node { ${selection} } } } } }
  } }`;
}

describe('queries clients really send pass', () => {
  it.each(
    exampleOperations()
      .filter(({ document }) => !document.includes('subscription'))
      .map(({ name, document }) => [name, document] as const),
  )('the example operation %s', async (_name, document) => {
    const response = await ask(document);
    expect(response.errors).toBeUndefined();
    expect(Object.values(response.data!).every((value) => value !== null)).toBe(true);
  });

  it.each(
    exampleOperations()
      .filter(({ document }) => document.includes('subscription'))
      .map(({ name, document }) => [name, document] as const),
  )('the example live operation %s', async (_name, document) => {
    const client = sseClient(stack.url, 'distinct', BOTH_KEYS);
    try {
      const tail = subscribe(client, document, {}, (data) => data);
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      expect(tail.errors).toEqual([]);
      tail.dispose();
    } finally {
      client.dispose();
    }
    await until(() => stack.emulator.openStreams() === 0, 5_000, 'the upstream stream to close');
  });

  it('Relay nesting eleven fields deep, with sensible page sizes', async () => {
    const response = await ask(nestedRequestLogs(2, 5));
    expect(response.errors).toBeUndefined();
    expect(JSON.stringify(response.data)).toContain('"logs"');
  });

  it('nodes(ids:) with tens of ids', async () => {
    const page = await ask<{
      falRequests: { edges: Array<{ node: { id: string } }> };
      workflowLogs: { edges: Array<{ node: { id: string; workflowRun: { id: string } } }> };
    }>(`{
      falRequests(endpointIds: ["acme/flux-studio"], first: 20) { edges { node { id } } }
      workflowLogs(first: 20) { edges { node { id workflowRun { id } } } }
    }`);
    const ids = [
      ...page.data!.falRequests.edges.map(({ node }) => node.id),
      ...page.data!.workflowLogs.edges.flatMap(({ node }) => [node.id, node.workflowRun.id]),
    ];
    expect(ids.length).toBeGreaterThanOrEqual(40);
    const response = await ask<{ nodes: Array<{ id: string } | null> }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on FalRequest { status logs(first: 5) { edges { node { message } } } } } }`,
      { ids },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.nodes.map((node) => node?.id)).toEqual(ids);
  });

  it("GraphiQL's introspection query", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const response = await ask<{ __schema: { types: unknown[] } }>(query);
    expect(response.errors).toBeUndefined();
    expect(response.data!.__schema.types.length).toBeGreaterThan(10);
  });
});

describe('abusive queries are refused with BAD_USER_INPUT before any upstream call', () => {
  it('nesting deeper than MAX_QUERY_DEPTH (12)', async () => {
    expectRefused(await ask(nestedRequestLogs(3, 1)), /depth limit of 12 exceeded, found 15/);
  });

  it('more aliases than MAX_QUERY_ALIASES (15)', async () => {
    const aliases = Array.from(
      { length: 16 },
      (_, i) => `a${i}: falLogs(first: 1) { pageInfo { hasNextPage } }`,
    );
    expectRefused(await ask(`{ ${aliases.join(' ')} }`), /Aliases limit of 15 exceeded, found 16/);
  });

  it('thousands of aliases', async () => {
    const aliases = Array.from({ length: 3000 }, (_, i) => `a${i}: falLogs { __typename }`);
    expectRefused(await ask(`{ ${aliases.join(' ')} }`), /limit/);
  });

  it('more tokens than MAX_QUERY_TOKENS (1000)', async () => {
    const fields = Array.from({ length: 1200 }, () => '__typename').join(' ');
    expectRefused(await ask(`{ ${fields} }`), /Token limit of 1000 exceeded/);
  });

  it('more directives than MAX_QUERY_DIRECTIVES (50)', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @skip(if: false)').join(' ');
    expectRefused(
      await ask(`{ falLogs(first: 1) { ${fields} } }`),
      /Directives limit of 50 exceeded, found 51/,
    );
  });

  const COST_BOMB = `query ($lines: Int, $perRequest: Int) {
    falLogs(first: $lines) { edges { node { request { logs(first: $perRequest) { edges { node { message } } } } } } }
  }`;

  it('a cost bomb with literal page sizes', async () => {
    const literal = COST_BOMB.replace(/^query \([^)]*\)/, '')
      .replace('$lines', '5000')
      .replace('$perRequest', '1000');
    expectRefused(await ask(literal), /Cost limit of 100000 exceeded, found 2\d{7}\b/);
  });

  it('a cost bomb with the page sizes in variables', async () => {
    expectRefused(await ask(COST_BOMB, { lines: 5000, perRequest: 1000 }), /Cost limit/);
  });

  it('the same document is priced again when its page sizes change', async () => {
    const modest = await ask(COST_BOMB, { lines: 2, perRequest: 2 });
    expect(modest.errors).toBeUndefined();
    stack.emulator.resetCalls();
    expectRefused(await ask(COST_BOMB, { lines: 5000, perRequest: 1000 }), /Cost limit/);
  });

  it('a cost bomb left to the default page sizes', async () => {
    expectRefused(
      await ask(nestedRequestLogs(2, 1).replace(/, first: 1|\(first: 1\)/g, '')),
      /Cost limit/,
    );
  });

  it('a cost bomb made of thousands of ids passed in a variable', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `acme/flux-studio:${i}`);
    expectRefused(
      await ask(
        `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on FalRequest { logs(first: 100) { edges { node { message } } } } } }`,
        { ids },
      ),
      /Cost limit/,
    );
  });
});

describe.each(['distinct', 'single'] as const)('over graphql-sse (%s connections)', (mode) => {
  it('a subscription nested too deep is refused before the upstream stream opens', async () => {
    let nested = 'message';
    for (let level = 0; level < 3; level += 1) {
      nested = `message request { logs(first: 1) { edges { node { ${nested} } } } }`;
    }
    const client = sseClient(stack.url, mode, BOTH_KEYS);
    try {
      const tail = subscribe(client, `subscription { falLogs { ${nested} } }`, {}, (data) => data);
      await tail.ended;
      expect(tail.values).toEqual([]);
      expect(tail.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
      expect(stack.emulator.calls()).toEqual([]);
    } finally {
      client.dispose();
    }
  });
});

describe('the limits come from the environment', () => {
  it('lower limits refuse what the defaults let through', async () => {
    const strict = await startStack({ env: { MAX_QUERY_DEPTH: '4', MAX_QUERY_COST: '500' } });
    try {
      const page = exampleOperations().find(({ name }) => name === 'fal-logs')!.document;
      const deep = await strict.graphql(page);
      expect(deep.errors![0]).toMatchObject({
        message: expect.stringMatching(/depth limit of 4 exceeded/) as string,
        extensions: { code: 'BAD_USER_INPUT' },
      });
      const costly = await strict.graphql('{ falLogs(first: 200) { edges { cursor } } }');
      expect(costly.errors![0]).toMatchObject({
        message: expect.stringMatching(/Cost limit of 500 exceeded/) as string,
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(strict.emulator.calls()).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['MAX_QUERY_DEPTH', '0'],
    ['MAX_QUERY_COST', 'lots'],
    ['MAX_QUERY_ALIASES', '-1'],
    ['MAX_QUERY_TOKENS', '1.5'],
    ['MAX_QUERY_DIRECTIVES', 'none'],
  ])('a bad %s stops the start, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
