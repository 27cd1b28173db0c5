import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { credentialCases } from '../support/credential-cases.js';
import { DIFY_AUTH, FAL_AUTH, FAL_BACKENDS, startStack, type Stack } from '../support/stack.js';

const QUERY = `query ($filter: FalLogFilter, $first: Int, $after: String) {
  falLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { timestamp message } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  falLogs: { edges: Array<{ cursor: string }>; pageInfo: { endCursor: string | null } } | null;
}

describe.each(FAL_BACKENDS)('falLogs input, auth and errors over the $api backend', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      falLogsApi: backend.api,
      env: { UPSTREAM_HEADERS_TIMEOUT_MS: '400' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  const upstreamCalls = () => stack.emulator.calls({ source: 'fal' }).length;

  describe('auth forwarding', () => {
    credentialCases({
      stack: () => stack,
      source: 'fal',
      query: QUERY,
      field: 'falLogs',
      variables: () => ({ first: 1 }),
      ownKey: FAL_AUTH,
      refusedKey: { authorization: 'Key wrong-key:wrong-secret' },
      otherSourceOnly: DIFY_AUTH,
      sourceHeader: 'x-fal-authorization',
    });

    it('prefers X-Fal-Authorization over Authorization, so one request can carry both keys', async () => {
      const response = await stack.graphql<Page>(
        QUERY,
        { first: 1 },
        { ...DIFY_AUTH, 'x-fal-authorization': `Key ${DEMO_KEYS.falOther}` },
      );
      expect(response.errors).toBeUndefined();
      expect(stack.emulator.calls({ source: 'fal' })[0]!.authorization).toBe(
        `Key ${DEMO_KEYS.falOther}`,
      );
    });

    it('serves each key its own data', async () => {
      const demo = await stack.graphql<Page>(QUERY, { first: 5 }, FAL_AUTH);
      const other = await stack.graphql<Page>(
        QUERY,
        { first: 5 },
        { authorization: `Key ${DEMO_KEYS.falOther}` },
      );
      expect(JSON.stringify(other.data)).not.toBe(JSON.stringify(demo.data));
    });
  });

  describe('bad input is refused before any upstream call', () => {
    it.each([
      ['first below 1', { first: 0 }, /first/],
      ['negative first', { first: -5 }, /first/],
      ['first above 5000', { first: 5001 }, /first/],
      ['an empty appIds list', { filter: { appIds: [] } }, /appIds/],
      [
        '51 app ids',
        { filter: { appIds: Array.from({ length: 51 }, (_, i) => `o/a${i}`) } },
        /appIds/,
      ],
      ['an app id without an owner', { filter: { appIds: ['lonely'] } }, /appIds/],
      ['a date that is not one', { filter: { since: 'last tuesday' } }, /since|DateTime/],
      ['an impossible date', { filter: { until: '2025-02-30' } }, /until|DateTime/],
      ['until before since', { filter: { since: '2025-01-02', until: '2025-01-01' } }, /until/],
      ['an unknown level', { filter: { minLevel: 'LOUD' } }, /minLevel|LogLevel/],
      [
        'EQUALS with two values',
        { filter: { labels: [{ key: 'fal_env', values: ['a', 'b'], op: 'EQUALS' }] } },
        /values/,
      ],
      [
        'a label without values',
        { filter: { labels: [{ key: 'fal_env', values: [] }] } },
        /values/,
      ],
      ['a blank label key', { filter: { labels: [{ key: ' ', values: ['x'] }] } }, /key/],
      ['a cursor that is not one', { after: 'bm90LWEtY3Vyc29y' }, /after/],
    ])('%s', async (_, variables, field) => {
      const response = await stack.graphql<Page>(QUERY, variables);
      expect(response.errors?.length).toBeGreaterThan(0);
      for (const error of response.errors!) {
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      }
      expect(response.errors!.map((error) => error.message).join(' ')).toMatch(field);
      expect(upstreamCalls()).toBe(0);
    });

    it('refuses a tampered cursor and one issued for another filter', async () => {
      const first = await stack.graphql<Page>(QUERY, { first: 2, filter: { search: 'a' } });
      const cursor = first.data!.falLogs!.pageInfo.endCursor!;
      stack.emulator.resetCalls();

      const bytes = Buffer.from(cursor, 'base64url');
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0x01, bytes.length - 2);
      const tampered = await stack.graphql<Page>(QUERY, {
        first: 2,
        filter: { search: 'a' },
        after: bytes.toString('base64url'),
      });
      expect(tampered.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(tampered.errors![0]!.message).toMatch(/^after: /);

      const otherFilter = await stack.graphql<Page>(QUERY, {
        first: 2,
        filter: { search: 'b' },
        after: cursor,
      });
      expect(otherFilter.errors![0]!.message).toMatch(/after: .*different filter/);
      expect(upstreamCalls()).toBe(0);
    });

    it('refuses a malformed query as BAD_USER_INPUT', async () => {
      const response = await stack.graphql('{ falLogs(first: 1) { edges { nope } } }');
      expect(response.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      const syntax = await stack.graphql('{ falLogs(first: ');
      expect(syntax.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(upstreamCalls()).toBe(0);
    });
  });

  describe('upstream errors map to the contract codes', () => {
    const errorOf = async () => {
      const response = await stack.graphql<Page>(QUERY, { first: 3 });
      expect(response.data).toEqual({ falLogs: null });
      return response.errors![0]!;
    };

    it('429 is RATE_LIMITED with retryAfter', async () => {
      stack.emulator.setFault(backend.historyRoute, { status: 429, retryAfterSeconds: 7 });
      expect((await errorOf()).extensions).toMatchObject({
        code: 'RATE_LIMITED',
        source: 'fal',
        upstreamStatus: 429,
        retryAfter: 7,
      });
    });

    it('500 is UPSTREAM_ERROR', async () => {
      stack.emulator.setFault(backend.historyRoute, { status: 500 });
      expect((await errorOf()).extensions).toMatchObject({
        code: 'UPSTREAM_ERROR',
        source: 'fal',
        upstreamStatus: 500,
      });
    });

    it('503 is UPSTREAM_UNAVAILABLE', async () => {
      stack.emulator.setFault(backend.historyRoute, { status: 503 });
      expect((await errorOf()).extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'fal',
      });
    });

    it('a hang past the headers timeout is UPSTREAM_TIMEOUT', async () => {
      stack.emulator.setFault(backend.historyRoute, { hang: true });
      expect((await errorOf()).extensions).toMatchObject({
        code: 'UPSTREAM_TIMEOUT',
        source: 'fal',
      });
    });

    it('a body missing required fields is UPSTREAM_ERROR', async () => {
      stack.emulator.setFault(backend.historyRoute, { malformedBody: true });
      const error = await errorOf();
      expect(error.extensions).toMatchObject({
        code: 'UPSTREAM_ERROR',
        source: 'fal',
        upstreamStatus: 200,
      });
    });

    it('a connection reset mid-body is UPSTREAM_UNAVAILABLE', async () => {
      stack.emulator.setFault(backend.historyRoute, { resetMidBody: true });
      expect((await errorOf()).extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'fal',
      });
    });

    it('a refused connection is UPSTREAM_UNAVAILABLE and other fields are unaffected', async () => {
      const unreachable: Record<string, string> =
        backend.api === 'v1'
          ? { FAL_API_URL: 'http://127.0.0.1:9/v1' }
          : { FAL_LEGACY_API_URL: 'http://127.0.0.1:9' };
      const offline = await startStack({ falLogsApi: backend.api, env: unreachable });
      try {
        const response = await offline.graphql<Page & { __typename: string }>(
          `{ __typename falLogs(first: 1) { edges { cursor } } }`,
        );
        expect(response.data).toEqual({ __typename: 'Query', falLogs: null });
        expect(response.errors![0]!.extensions).toMatchObject({
          code: 'UPSTREAM_UNAVAILABLE',
          source: 'fal',
        });
      } finally {
        await offline.close();
      }
    });
  });
});
