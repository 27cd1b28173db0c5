import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json',
  'x-fal-authorization': `Key ${DEMO_KEYS.fal}`,
  'x-dify-authorization': `Bearer ${DEMO_KEYS.dify}`,
};
const PAGE = 'edges { cursor } pageInfo { hasNextPage endCursor }';
const CONNECTIONS = {
  falLogs: `query ($filter: FalLogFilter, $first: Int, $after: String) {
    falLogs(filter: $filter, first: $first, after: $after) { ${PAGE} edges { node { timestamp level message } } }
  }`,
  falRequests: `query ($endpointIds: [String!]!, $filter: FalRequestFilter, $orderBy: FalRequestOrder, $first: Int, $after: String) {
    falRequests(endpointIds: $endpointIds, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      ${PAGE} edges { node { id status sentAt } }
    }
  }`,
  workflowLogs: `query ($filter: WorkflowLogFilter, $first: Int, $after: String) {
    workflowLogs(filter: $filter, first: $first, after: $after) { ${PAGE} totalCount edges { node { id createdAt } } }
  }`,
};
type Connection = keyof typeof CONNECTIONS;

interface Result {
  data?: Record<string, { edges: Array<{ cursor: string }> } | null> | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function run(connection: Connection, variables: unknown) {
  const response = await stack.gateway.yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ query: CONNECTIONS[connection], variables }),
  });
  return { status: response.status, result: (await response.json()) as Result };
}

// Values of every JSON type, including ones no field expects.
const anything = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 2, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER, -0),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 990, maxLength: 1_010 }) },
);
const pad = (value: number, length = 2) => String(value).padStart(length, '0');
const recent = fc.date({
  min: new Date(Date.now() - 3 * 86_400_000),
  max: new Date(Date.now() + 86_400_000),
  noInvalidDate: true,
});

/**
 * The arbitraries of one style of input: `wellTyped` gives every variable a value of its type
 * (which may still be out of range, blank, too long, or a window ending before it starts);
 * otherwise any variable may now and then hold a value of any type, or a date of any shape.
 */
function style(wellTyped: boolean) {
  const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    wellTyped ? arbitrary : fc.oneof({ weight: 8, arbitrary }, { weight: 1, arbitrary: anything });
  const oddDates = fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc
      .tuple(fc.integer({ min: 0, max: 99_999 }), fc.nat(99), fc.nat(99))
      .map(([year, month, day]) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`),
    anything,
  );
  const dateTime = fc.oneof(
    { weight: 4, arbitrary: recent.map((date) => date.toISOString()) },
    { weight: 1, arbitrary: recent.map((date) => date.toISOString().slice(0, 10)) },
    ...(wellTyped ? [] : [{ weight: 2, arbitrary: oddDates }]),
  );
  const first = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }) },
    { weight: 1, arbitrary: maybe(fc.integer({ min: -5, max: 6_000 })) },
  );
  return { maybe, dateTime, first };
}

function cursors(real: readonly string[]) {
  const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  const flipped = fc.tuple(fc.constantFrom(...real), fc.nat()).map(([cursor, bit]) => {
    const raw = Buffer.from(cursor, 'base64url');
    raw[Math.floor(bit / 8) % raw.length]! ^= 1 << (bit % 8);
    return raw.toString('base64url');
  });
  const truncated = fc
    .tuple(fc.constantFrom(...real), fc.nat())
    .map(([cursor, length]) => cursor.slice(0, length % cursor.length));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real) },
    { weight: 1, arbitrary: flipped },
    { weight: 1, arbitrary: truncated },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map(base64url) },
    { weight: 1, arbitrary: anything },
  );
}

/** Variables for `connection`: random filters and page sizes, `after` drawn from `after`. */
function variables(connection: Connection, after: fc.Arbitrary<unknown>, wellTyped: boolean) {
  const { maybe, dateTime, first } = style(wellTyped);
  const optional = (model: Record<string, fc.Arbitrary<unknown>>) =>
    maybe(fc.record(model, { requiredKeys: [] }));
  const page = { first, after };
  const window = { since: dateTime, until: dateTime };
  switch (connection) {
    case 'falLogs':
      return fc.record(
        {
          ...page,
          filter: optional({
            ...window,
            appIds: maybe(
              fc.array(maybe(fc.constantFrom('acme/flux-studio', 'a/b')), { maxLength: 3 }),
            ),
            revision: maybe(text),
            runSource: maybe(fc.constantFrom('GRPC_RUN', 'GATEWAY', 'CRON', 'grpc-run')),
            search: maybe(text),
            minLevel: maybe(fc.constantFrom('TRACE', 'INFO', 'ERROR', 'STDERR', 'info')),
            jobId: maybe(text),
            requestId: maybe(text),
            traceback: maybe(fc.boolean()),
            labels: maybe(
              fc.array(
                optional({
                  key: maybe(text),
                  values: maybe(fc.array(text, { maxLength: 3 })),
                  op: maybe(fc.constantFrom('EQUALS', 'IN', 'NOT_EQUALS', 'NOT_IN')),
                }),
                { maxLength: 3 },
              ),
            ),
          }),
        },
        { requiredKeys: [] },
      );
    case 'falRequests':
      return fc.record(
        {
          ...page,
          endpointIds: maybe(
            fc.array(maybe(fc.constantFrom('acme/flux-studio', 'acme/flux-studio/turbo')), {
              minLength: 1,
              maxLength: 3,
            }),
          ),
          orderBy: maybe(fc.constantFrom('ENDED_AT', 'DURATION')),
          filter: optional({
            ...window,
            status: maybe(fc.constantFrom('SUCCESS', 'USER_ERROR', 'ERROR', 'PENDING')),
            requestId: maybe(fc.oneof(fc.uuid(), text)),
          }),
        },
        { requiredKeys: ['endpointIds'] },
      );
    case 'workflowLogs':
      return fc.record(
        {
          ...page,
          filter: optional({
            ...window,
            keyword: maybe(text),
            status: maybe(fc.constantFrom('RUNNING', 'SUCCEEDED', 'FAILED', 'PAUSED', 'succeeded')),
            endUserSessionId: maybe(text),
            accountEmail: maybe(text),
          }),
        },
        { requiredKeys: [] },
      );
  }
}

/** Dify alone knows whether an email belongs to a workspace member: that check costs a call. */
const checkedUpstream = (error: NonNullable<Result['errors']>[number]) =>
  /accountEmail/.test(error.message);

describe.each(Object.keys(CONNECTIONS) as Connection[])('%s under random input', (connection) => {
  it('never fails inside, never answers without a contract code, never sends bad input upstream', async () => {
    const seed = await run(connection, { endpointIds: ['acme/flux-studio'], first: 3 });
    const real = seed.result.data![connection]!.edges.map(({ cursor }) => cursor);
    expect(real.length).toBeGreaterThan(0);

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          variables(connection, fc.constant(undefined), true),
          variables(connection, cursors(real), false),
        ),
        async (input) => {
          stack.emulator.resetCalls();
          const { status, result } = await run(connection, input);
          expect(status).toBeLessThan(500);
          const codes = (result.errors ?? []).map((error) => error.extensions?.code);
          expect(codes.every((code) => code === 'BAD_USER_INPUT')).toBe(true);
          if (result.errors && !result.errors.some(checkedUpstream)) {
            expect(stack.emulator.calls()).toEqual([]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
