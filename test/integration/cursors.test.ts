import { hash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { argumentsDigest } from '../../src/digest.js';
import { BOTH_KEYS, DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const CURSOR_SECRET = 'a-cursor-secret-for-these-tests';
const HOUR = 3_600_000;
/** A past window of the timeline, the same for every page of these tests. */
const PAST_UNTIL = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const BASE64URL_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface Page {
  edges: Array<{ cursor: string }>;
  pageInfo: { endCursor: string | null };
}

/** Each connection, asked for a page of three with the same arguments every time. */
const CONNECTIONS = [
  {
    name: 'falLogs',
    field: 'falLogs',
    query: `query ($after: String) {
      falLogs(first: 3, filter: { minLevel: INFO }, after: $after) {
        edges { cursor } pageInfo { endCursor }
      }
    }`,
    headers: FAL_AUTH,
    variables: () => ({}),
  },
  {
    name: 'falLogs OLDEST_FIRST',
    field: 'falLogs',
    query: `query ($after: String) {
      falLogs(first: 3, order: OLDEST_FIRST, after: $after) {
        edges { cursor } pageInfo { endCursor }
      }
    }`,
    headers: FAL_AUTH,
    variables: () => ({}),
  },
  {
    name: 'falRequests',
    field: 'falRequests',
    query: `query ($endpointIds: [String!]!, $after: String) {
      falRequests(endpointIds: $endpointIds, first: 3, after: $after) {
        edges { cursor } pageInfo { endCursor }
      }
    }`,
    headers: FAL_AUTH,
    variables: (stack: Stack) => ({ endpointIds: [stack.emulator.fal.apps('demo')[0]!.id] }),
  },
  {
    name: 'workflowLogs',
    field: 'workflowLogs',
    query: `query ($after: String) {
      workflowLogs(first: 3, after: $after) { edges { cursor } pageInfo { endCursor } }
    }`,
    headers: DIFY_AUTH,
    variables: () => ({}),
  },
  {
    name: 'timeline',
    field: 'timeline',
    query: `query ($filter: TimelineFilter!, $after: String) {
      timeline(filter: $filter, first: 3, after: $after) { edges { cursor } pageInfo { endCursor } }
    }`,
    headers: BOTH_KEYS,
    variables: () => ({
      filter: {
        since: new Date(PAST_UNTIL - 2 * HOUR).toISOString(),
        until: new Date(PAST_UNTIL).toISOString(),
        falLogs: {},
        falRequests: { endpointIds: ['acme/flux-studio'] },
        workflowRuns: {},
      },
    }),
  },
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { CURSOR_SECRET } });
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

async function pageOf(connection: (typeof CONNECTIONS)[number], after?: string) {
  const response = await stack.graphql<Record<string, Page | null>>(
    connection.query,
    { ...connection.variables(stack), after },
    connection.headers,
  );
  return { page: response.data?.[connection.field] ?? null, errors: response.errors };
}

describe('edge cursors', () => {
  it.each(['NEWEST_FIRST', 'OLDEST_FIRST'])(
    'a falLogs edge cursor (%s) is at most 80 characters, short enough for a URL',
    async (order) => {
      const connection = CONNECTIONS.find(({ name }) =>
        order === 'NEWEST_FIRST' ? name === 'falLogs' : name === `falLogs ${order}`,
      )!;
      const first = await pageOf(connection);
      const second = await pageOf(connection, first.page!.pageInfo.endCursor!);
      const cursors = [first, second].flatMap(({ page }) =>
        page!.edges.map(({ cursor }) => cursor),
      );
      expect(cursors).toHaveLength(6);
      for (const cursor of cursors) {
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(cursor.length).toBeLessThanOrEqual(80);
      }
    },
  );

  it.each(CONNECTIONS.map((connection) => [connection.name, connection]))(
    'a %s edge cursor with any one character changed is refused on `after`, before any upstream call',
    async (_name, connection) => {
      const { page } = await pageOf(connection);
      const cursor = page!.edges[1]!.cursor;
      expect((await pageOf(connection, cursor)).errors).toBeUndefined();
      stack.emulator.resetCalls();

      for (let i = 0; i < cursor.length; i++) {
        const digit = BASE64URL_DIGITS.indexOf(cursor[i]!);
        const changed = BASE64URL_DIGITS[(digit + 1 + (i % 63)) % 64]!;
        const tampered = cursor.slice(0, i) + changed + cursor.slice(i + 1);
        const { page: refused, errors } = await pageOf(connection, tampered);
        expect(refused, `character ${i}`).toBeNull();
        expect(errors?.[0]?.extensions?.code, `character ${i}`).toBe('BAD_USER_INPUT');
        expect(errors?.[0]?.message, `character ${i}`).toMatch(/^after: /);
      }
      expect(stack.emulator.calls()).toEqual([]);
    },
  );

  it('refuses a cursor issued before cursors were packed (JSON, a 144-bit tag) as BAD_USER_INPUT on `after`', async () => {
    const now = Date.now() * 1000;
    const json = JSON.stringify({
      args: argumentsDigest({ filter: { level: 'info' } }),
      order: 'NEWEST_FIRST',
      start: new Date((now - 24 * HOUR * 1000) / 1000).toISOString(),
      end: new Date(now / 1000).toISOString(),
      micros: now - 60_000_000,
      seen: 1,
    });
    const tag = hash('sha256', `${CURSOR_SECRET}\0falLogs\0${json}`, 'base64url').slice(0, 24);
    const { page, errors } = await pageOf(
      CONNECTIONS[0]!,
      tag + Buffer.from(json).toString('base64url'),
    );
    expect(page).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toMatch(/^after: not a falLogs cursor issued by this gateway/);
    expect(stack.emulator.calls()).toEqual([]);
  });
});
