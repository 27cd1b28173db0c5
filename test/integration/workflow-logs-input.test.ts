import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { credentialCases } from '../support/credential-cases.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { LOG_PAGE_QUERY, type LogPage } from './workflow-support.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { UPSTREAM_HEADERS_TIMEOUT_MS: '400' } });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

const difyCalls = () => stack.emulator.calls({ source: 'dify' });

describe('auth forwarding', () => {
  credentialCases({
    stack: () => stack,
    source: 'dify',
    query: LOG_PAGE_QUERY,
    field: 'workflowLogs',
    variables: () => ({ first: 1 }),
    ownKey: DIFY_AUTH,
    refusedKey: { authorization: 'Bearer app-wrong-secret' },
    otherSourceOnly: FAL_AUTH,
    sourceHeader: 'x-dify-authorization',
  });

  it('prefers X-Dify-Authorization over Authorization, so one request can carry both keys', async () => {
    const response = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { first: 1 },
      { ...FAL_AUTH, 'x-dify-authorization': `Bearer ${DEMO_KEYS.difyOther}` },
    );
    expect(response.errors).toBeUndefined();
    expect(difyCalls()[0]!.authorization).toBe(`Bearer ${DEMO_KEYS.difyOther}`);
  });

  it('serves each key its own app', async () => {
    const ids = async (key: string) => {
      const response = await stack.graphql<LogPage>(
        LOG_PAGE_QUERY,
        { first: 5 },
        { authorization: `Bearer ${key}` },
      );
      return response.data!.workflowLogs!.edges.map((edge) => edge.node.logId);
    };
    expect(await ids(DEMO_KEYS.dify)).toEqual(
      stack.emulator.dify
        .logs('demo')
        .slice(0, 5)
        .map((row) => row.id),
    );
    expect(await ids(DEMO_KEYS.difyOther)).toEqual(
      stack.emulator.dify
        .logs('other')
        .slice(0, 5)
        .map((row) => row.id),
    );
  });
});

describe('one source missing its credential leaves the other’s data', () => {
  const BOTH = `{
    falLogs(first: 2) { edges { node { message } } }
    workflowLogs(first: 2) { edges { node { logId } } }
  }`;
  interface Both {
    falLogs: { edges: unknown[] } | null;
    workflowLogs: { edges: unknown[] } | null;
  }

  it('serves workflowLogs beside an UNAUTHENTICATED falLogs', async () => {
    const response = await stack.graphql<Both>(BOTH, {}, DIFY_AUTH);
    expect(response.data!.falLogs).toBeNull();
    expect(response.data!.workflowLogs!.edges).toHaveLength(2);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['falLogs'],
      extensions: { code: 'UNAUTHENTICATED', source: 'fal' },
    });
    expect(stack.emulator.calls({ source: 'fal' })).toHaveLength(0);
  });

  it('serves falLogs beside an UNAUTHENTICATED workflowLogs', async () => {
    const response = await stack.graphql<Both>(BOTH, {}, FAL_AUTH);
    expect(response.data!.workflowLogs).toBeNull();
    expect(response.data!.falLogs!.edges).toHaveLength(2);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      path: ['workflowLogs'],
      extensions: { code: 'UNAUTHENTICATED', source: 'dify' },
    });
    expect(difyCalls()).toHaveLength(0);
  });

  it('serves both with one key each', async () => {
    const response = await stack.graphql<Both>(
      BOTH,
      {},
      {
        'x-fal-authorization': FAL_AUTH.authorization,
        'x-dify-authorization': DIFY_AUTH.authorization,
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.falLogs!.edges).toHaveLength(2);
    expect(response.data!.workflowLogs!.edges).toHaveLength(2);
  });
});

describe('bad input is BAD_USER_INPUT naming the field, before any upstream call', () => {
  it.each([
    ['first 0', { first: 0 }, /first/],
    ['first 501', { first: 501 }, /first/],
    ['a negative first', { first: -3 }, /first/],
    ['a date that is not one', { filter: { since: 'last tuesday' } }, /since|DateTime/],
    ['an impossible date', { filter: { until: '2025-02-30' } }, /until|DateTime/],
    ['until before since', { filter: { since: '2025-01-02', until: '2025-01-01' } }, /until/],
    ['until equal to since', { filter: { since: '2025-01-02', until: '2025-01-02' } }, /until/],
    ['a keyword past what Dify matches', { filter: { keyword: 'x'.repeat(31) } }, /keyword/],
    ['a blank keyword', { filter: { keyword: '  ' } }, /keyword/],
    ['a blank session id', { filter: { endUserSessionId: '' } }, /endUserSessionId/],
    ['a blank account email', { filter: { accountEmail: ' ' } }, /accountEmail/],
    ['an unknown status', { filter: { status: 'DONE' } }, /status|WorkflowRunStatus/],
    ['a cursor that is not one', { after: 'bm90LWEtY3Vyc29y' }, /after/],
  ])('%s', async (_, variables, field) => {
    const response = await stack.graphql<LogPage>(LOG_PAGE_QUERY, variables, DIFY_AUTH);
    expect(response.errors?.length).toBeGreaterThan(0);
    for (const error of response.errors!) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors!.map((error) => error.message).join(' ')).toMatch(field);
    expect(difyCalls()).toHaveLength(0);
  });

  it('refuses a tampered cursor, one issued for another filter and one from falLogs', async () => {
    const first = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { first: 2, filter: { keyword: 'a' } },
      DIFY_AUTH,
    );
    const cursor = first.data!.workflowLogs!.pageInfo.endCursor!;
    const fal = await stack.graphql<{ falLogs: { pageInfo: { endCursor: string } } }>(
      '{ falLogs(first: 1) { pageInfo { endCursor } } }',
    );
    stack.emulator.resetCalls();

    const bytes = Buffer.from(cursor, 'base64url');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0x01, bytes.length - 2);
    const page = (after: string, filter: Record<string, unknown>) =>
      stack.graphql<LogPage>(LOG_PAGE_QUERY, { first: 2, filter, after }, DIFY_AUTH);

    const tampered = await page(bytes.toString('base64url'), { keyword: 'a' });
    expect(tampered.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(tampered.errors![0]!.message).toMatch(/^after: /);

    const otherFilter = await page(cursor, { keyword: 'b' });
    expect(otherFilter.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(otherFilter.errors![0]!.message).toMatch(/after: .*different filter/);

    const falCursor = await page(fal.data!.falLogs.pageInfo.endCursor, { keyword: 'a' });
    expect(falCursor.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(falCursor.errors![0]!.message).toMatch(/^after: /);
    expect(difyCalls()).toHaveLength(0);
  });
});

describe('upstream errors map to the contract codes with source dify', () => {
  const errorOf = async () => {
    const response = await stack.graphql<LogPage>(LOG_PAGE_QUERY, { first: 3 }, DIFY_AUTH);
    expect(response.data).toEqual({ workflowLogs: null });
    return response.errors![0]!;
  };

  it.each([
    [500, { code: 'UPSTREAM_ERROR', upstreamStatus: 500 }],
    [503, { code: 'UPSTREAM_UNAVAILABLE', upstreamStatus: 503 }],
    [403, { code: 'FORBIDDEN', upstreamStatus: 403 }],
    [404, { code: 'NOT_FOUND', upstreamStatus: 404 }],
  ])('%i', async (status, extensions) => {
    stack.emulator.setFault('workflows.logs', { status });
    expect((await errorOf()).extensions).toMatchObject({ ...extensions, source: 'dify' });
  });

  it('429 is RATE_LIMITED with retryAfter', async () => {
    stack.emulator.setFault('workflows.logs', { status: 429, retryAfterSeconds: 9 });
    expect((await errorOf()).extensions).toMatchObject({
      code: 'RATE_LIMITED',
      source: 'dify',
      upstreamStatus: 429,
      retryAfter: 9,
    });
  });

  it('a hang past the headers timeout is UPSTREAM_TIMEOUT', async () => {
    stack.emulator.setFault('workflows.logs', { hang: true });
    expect((await errorOf()).extensions).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      source: 'dify',
    });
  });

  it('a body missing required fields is UPSTREAM_ERROR', async () => {
    stack.emulator.setFault('workflows.logs', { malformedBody: true });
    expect((await errorOf()).extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      source: 'dify',
      upstreamStatus: 200,
    });
  });

  it('an error on a later page of one walk fails that page only', async () => {
    const first = await stack.graphql<LogPage>(LOG_PAGE_QUERY, { first: 2 }, DIFY_AUTH);
    stack.emulator.setFault('workflows.logs', { status: 500 });
    const after = first.data!.workflowLogs!.pageInfo.endCursor;
    const failed = await stack.graphql<LogPage>(LOG_PAGE_QUERY, { first: 2, after }, DIFY_AUTH);
    expect(failed.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR' });
    stack.emulator.clearFaults();
    const retried = await stack.graphql<LogPage>(LOG_PAGE_QUERY, { first: 2, after }, DIFY_AUTH);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.workflowLogs!.edges.map((edge) => edge.node.logId)).toEqual(
      stack.emulator.dify
        .logs('demo')
        .slice(2, 4)
        .map((row) => row.id),
    );
  });
});
