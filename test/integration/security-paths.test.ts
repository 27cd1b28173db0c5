import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type GraphQLResponse, type Stack, BOTH_KEYS } from '../support/stack.js';

const RUN_ID = '6f1c1c6e-2b7a-4d8e-9f10-1a2b3c4d5e6f';
const REQUEST_ID = '0b9d5d3a-8c1e-4f7a-a2b4-c6d8e0f1a3b5';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

const globalId = (type: string, raw: string) => Buffer.from(`${type}:${raw}`).toString('base64');

function expectRefused(response: GraphQLResponse) {
  expect(response.status).toBeLessThan(500);
  expect(response.errors?.length).toBeGreaterThan(0);
  for (const error of response.errors!) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  expect(stack.emulator.calls()).toEqual([]);
}

/** Ways a client-given id could try to leave its place in an upstream URL, by name. */
const escapes = (valid: string): Array<[string, string]> => [
  ['a parent segment before', `../${valid}`],
  ['a parent segment after', `${valid}/..`],
  ['parent segments to elsewhere', `${valid}/../../admin`],
  ['an encoded slash before', `..%2F${valid}`],
  ['an encoded slash after', `${valid}%2F..`],
  ['a query string', `${valid}?admin=1`],
  ['a fragment', `${valid}#fragment`],
  ['a trailing space', `${valid} `],
  ['a leading space', ` ${valid}`],
  ['an inner space', `${valid.slice(0, 3)} ${valid.slice(3)}`],
  ['a comma-separated second id', `${valid},someone/else`],
  ['a newline', `${valid}\n`],
  ['a 300-character route', `${valid}/${'x'.repeat(300)}`],
  ['5000 characters', 'x'.repeat(5_000)],
  ['nothing', ''],
];

/** As node ids; an empty raw id makes a malformed global ID, which never names an upstream path. */
const nodeEscapes = (valid: string) => escapes(valid).filter(([, raw]) => raw !== '');

describe('ids that end up in an upstream path or parameter are refused when they could escape it', () => {
  it.each(escapes(RUN_ID))('workflowRun(id:) with %s', async (_, id) => {
    expectRefused(
      await stack.graphql(
        `query ($id: String!) { workflowRun(id: $id) { runId } }`,
        { id },
        BOTH_KEYS,
      ),
    );
  });

  it.each(nodeEscapes(RUN_ID))('node(id:) of a WorkflowRun with %s', async (_, raw) => {
    expectRefused(
      await stack.graphql(
        `query ($id: ID!) { node(id: $id) { id } }`,
        { id: globalId('WorkflowRun', raw) },
        BOTH_KEYS,
      ),
    );
  });

  it.each(escapes('acme/flux-studio'))('falRequest(endpointId:) with %s', async (_, endpointId) => {
    expectRefused(
      await stack.graphql(
        `query ($endpointId: String!, $requestId: String!) {
          falRequest(endpointId: $endpointId, requestId: $requestId) { requestId }
        }`,
        { endpointId, requestId: REQUEST_ID },
        BOTH_KEYS,
      ),
    );
  });

  it.each(escapes(REQUEST_ID))('falRequest(requestId:) with %s', async (_, requestId) => {
    expectRefused(
      await stack.graphql(
        `query ($requestId: String!) {
          falRequest(endpointId: "acme/flux-studio", requestId: $requestId) { requestId }
        }`,
        { requestId },
        BOTH_KEYS,
      ),
    );
  });

  it.each(escapes('acme/flux-studio'))(
    'falRequests(endpointIds:) with %s',
    async (_, endpointId) => {
      expectRefused(
        await stack.graphql(
          `query ($ids: [String!]!) { falRequests(endpointIds: $ids) { edges { cursor } } }`,
          { ids: [endpointId] },
          BOTH_KEYS,
        ),
      );
    },
  );

  it.each(nodeEscapes('acme/flux-studio'))(
    'node(id:) of a FalRequest of endpoint %j',
    async (endpointId) => {
      expectRefused(
        await stack.graphql(
          `query ($id: ID!) { node(id: $id) { id } }`,
          { id: globalId('FalRequest', `${endpointId}:${REQUEST_ID}`) },
          BOTH_KEYS,
        ),
      );
    },
  );

  it.each(escapes('acme/flux-studio'))('falLogs(filter: { appIds }) with %s', async (_, appId) => {
    expectRefused(
      await stack.graphql(
        `query ($filter: FalLogFilter) { falLogs(filter: $filter) { edges { cursor } } }`,
        { filter: { appIds: [appId] } },
        BOTH_KEYS,
      ),
    );
  });
});

describe('well-formed ids still reach the upstream exactly as given', () => {
  it('a route-level endpoint id with dots, dashes and underscores', async () => {
    const endpointId = 'acme_labs/flux-pro/v1.1-ultra';
    const response = await stack.graphql(
      `query ($ids: [String!]!) { falRequests(endpointIds: $ids) { edges { cursor } } }`,
      { ids: [endpointId] },
      BOTH_KEYS,
    );
    expect(response.errors).toBeUndefined();
    expect(stack.emulator.calls()[0]!.query.endpoint_id).toEqual([endpointId]);
  });

  it('a workflow run id, as one path segment', async () => {
    const response = await stack.graphql(
      `query ($id: String!) { workflowRun(id: $id) { runId } }`,
      { id: RUN_ID },
      BOTH_KEYS,
    );
    expect(response.errors).toBeUndefined();
    expect(stack.emulator.calls().map((call) => call.path)).toEqual([
      expect.stringMatching(new RegExp(`/workflows/run/${RUN_ID}$`)) as string,
    ]);
  });
});
