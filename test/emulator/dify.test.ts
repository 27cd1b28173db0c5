import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DifyLogRow, Emulator } from '../../src/emulator/index.js';
import {
  anyNumber,
  anyString,
  call,
  containing,
  DIFY,
  DIFY_OTHER,
  NOW,
  queryString,
  startTestEmulator,
} from './support.js';
import type { Params } from './support.js';

interface LogsPage {
  page: number;
  limit: number;
  total: number;
  has_more: boolean;
  data: DifyLogRow[];
}

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

function logs(params: Params = {}, headers: Record<string, string> = DIFY) {
  return call<LogsPage>(`${emulator.difyUrl}/workflows/logs${queryString(params)}`, { headers });
}

async function page(params: Params = {}) {
  const answer = await logs(params);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function walk(params: Params = {}) {
  const rows: DifyLogRow[] = [];
  for (let number = 1; ; number++) {
    const result = await page({ ...params, page: number, limit: 100 });
    rows.push(...result.data);
    if (!result.has_more) return rows;
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

describe('Dify auth', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown app key', { authorization: 'Bearer app-nope' }],
    ['the wrong scheme', { authorization: `Key ${DIFY.authorization.slice(7)}` }],
  ])('answers 401 unauthorized with WWW-Authenticate for %s', async (_, headers) => {
    const answer = await logs({}, headers);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(answer.body).toEqual({ code: 'unauthorized', message: anyString, status: 401 });
  });
});

describe('Dify workflow logs', () => {
  it('serves the newest 20 rows on page 1 by default, with total and has_more', async () => {
    const stored = emulator.dify.logs('demo');
    const first = await page();
    expect(first).toEqual({
      page: 1,
      limit: 20,
      total: stored.length,
      has_more: true,
      data: stored.slice(0, 20),
    });
  });

  it('pages by offset to the end, then serves empty pages', async () => {
    const stored = emulator.dify.logs('demo');
    expect(await walk()).toEqual(stored);
    const last = Math.ceil(stored.length / 37);
    const tail = await page({ page: last, limit: 37 });
    expect(tail.has_more).toBe(false);
    expect(tail.data).toEqual(stored.slice((last - 1) * 37));
    expect(await page({ page: last + 1, limit: 37 })).toMatchObject({
      data: [],
      has_more: false,
      total: stored.length,
    });
  });

  it('orders rows newest first, rows of one second by insertion, newest first', async () => {
    const stored = emulator.dify.logs('demo');
    const times = stored.map((row) => row.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBeLessThan(times.length);
    const second = Math.floor(Date.parse('2024-01-01T00:00:00Z') / 1000);
    const [a] = emulator.dify.insertRuns('demo', [{ created_at: second }]);
    const [b] = emulator.dify.insertRuns('demo', [{ created_at: second }]);
    const both = await page({ created_at__after: iso(second), created_at__before: iso(second) });
    expect(both.data.map((row) => row.id)).toEqual([b!.id, a!.id]);
  });

  it('treats both created_at bounds as inclusive', async () => {
    const stored = emulator.dify.logs('demo');
    const shared = stored.find(
      (row, i) => stored[i + 1]?.created_at === row.created_at,
    )!.created_at;
    const atSecond = stored.filter((row) => row.created_at === shared);
    const exact = await page({
      created_at__after: iso(shared),
      created_at__before: iso(shared),
      limit: 100,
    });
    expect(exact.data).toEqual(atSecond);
    const before = await walk({ created_at__before: iso(shared) });
    expect(before).toEqual(stored.filter((row) => row.created_at <= shared));
    const after = await walk({ created_at__after: iso(shared) });
    expect(after).toEqual(stored.filter((row) => row.created_at >= shared));
  });

  it('reads naive and offset timestamps as ISO-8601', async () => {
    const stored = emulator.dify.logs('demo');
    const second = stored[10]!.created_at;
    const naive = iso(second).replace('Z', '');
    const shifted = new Date((second + 3600) * 1000).toISOString().replace('Z', '+01:00');
    expect((await page({ created_at__before: naive })).total).toBe(
      (await page({ created_at__before: shifted })).total,
    );
  });

  it.each([
    ['status', { status: 'running' }],
    ['status', { status: 'partial-succeeded' }],
    ['page', { page: 0 }],
    ['page', { page: 100000 }],
    ['page', { page: 'two' }],
    ['limit', { limit: 0 }],
    ['limit', { limit: 101 }],
    ['created_at__before', { created_at__before: String(Math.floor(NOW / 1000)) }],
    ['created_at__after', { created_at__after: 'last tuesday' }],
  ])('rejects a bad %s with a multi-line invalid_param', async (param, params) => {
    const answer = await logs(params);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      code: 'invalid_param',
      message: containing(param),
      status: 400,
    });
    expect(
      (answer.body as unknown as { message: string }).message.split('\n').length,
    ).toBeGreaterThan(1);
  });

  it.each(['succeeded', 'failed', 'stopped'])(
    'status=%s keeps runs with that status',
    async (status) => {
      const expected = emulator.dify
        .logs('demo')
        .filter((row) => row.workflow_run?.status === status);
      expect(expected.length).toBeGreaterThan(0);
      expect(await walk({ status })).toEqual(expected);
    },
  );

  it('carries every run status, orphaned rows and both kinds of creator', () => {
    const rows = emulator.dify.logs('demo');
    const statuses = new Set(rows.map((row) => row.workflow_run?.status));
    for (const status of [
      'running',
      'succeeded',
      'failed',
      'stopped',
      'partial-succeeded',
      'paused',
      undefined,
    ]) {
      expect(statuses).toContain(status);
    }
    expect(
      rows.some(
        (row) =>
          row.created_by_role === 'account' && row.created_by_account && !row.created_by_end_user,
      ),
    ).toBe(true);
    expect(
      rows.some(
        (row) =>
          row.created_by_role === 'end_user' && row.created_by_end_user && !row.created_by_account,
      ),
    ).toBe(true);
    expect(
      rows
        .filter((row) => row.workflow_run?.status === 'running')
        .every((row) => row.workflow_run?.finished_at === null),
    ).toBe(true);
    expect(rows.some((row) => !('details' in row))).toBe(true);
    expect(rows.some((row) => row.details === null)).toBe(true);
    expect(rows.some((row) => row.details && typeof row.details === 'object')).toBe(true);
  });

  it('filters by account email and rejects an unknown one', async () => {
    const [account] = emulator.dify.accounts('demo');
    const expected = emulator.dify
      .logs('demo')
      .filter((row) => row.created_by_account?.email === account!.email);
    expect(expected.length).toBeGreaterThan(0);
    expect(await walk({ created_by_account: account!.email })).toEqual(expected);
    const unknown = await logs({ created_by_account: 'ghost@nowhere.example' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      code: 'invalid_param',
      message: 'Account not found: ghost@nowhere.example',
      status: 400,
    });
  });

  it('filters by end-user session id', async () => {
    const session = emulator.dify.endUsers('demo')[0]!.session_id;
    const expected = emulator.dify
      .logs('demo')
      .filter((row) => row.created_by_end_user?.session_id === session);
    expect(expected.length).toBeGreaterThan(0);
    expect(await walk({ created_by_end_user_session_id: session })).toEqual(expected);
  });

  it('matches keyword case-insensitively on inputs, outputs and session id, using its first 30 characters', async () => {
    const runs = new Map(emulator.dify.runs('demo').map((run) => [run.id, run]));
    const text = (row: DifyLogRow) => {
      const run = row.workflow_run && runs.get(row.workflow_run.id);
      return [
        run && JSON.stringify(JSON.parse(run.inputs)),
        run && JSON.stringify(run.outputs),
        row.created_by_end_user?.session_id,
      ]
        .join('\n')
        .toLowerCase();
    };
    const keyword = 'I was charged twice for the March invoice';
    const expected = emulator.dify
      .logs('demo')
      .filter((row) => text(row).includes(keyword.slice(0, 30).toLowerCase()));
    expect(expected.length).toBeGreaterThan(0);
    expect(await walk({ keyword: keyword.toUpperCase() })).toEqual(expected);
    expect(await walk({ keyword: `${keyword.slice(0, 30)} and then something else` })).toEqual(
      expected,
    );
    const bySession = await walk({ keyword: 'ZENDESK-BRIDGE' });
    expect(bySession.length).toBeGreaterThan(0);
    expect(bySession.every((row) => text(row).includes('zendesk-bridge'))).toBe(true);
  });

  it('puts inserted runs at the head', async () => {
    const [row] = emulator.dify.insertRuns('demo', [{ status: 'running', orphaned: false }]);
    const first = await page({ limit: 1 });
    expect(first.data).toEqual([row]);
    expect(row!.created_at).toBe(Math.floor(NOW / 1000));
    const finished = emulator.dify.finishRun('demo', row!.workflow_run!.id, 'failed');
    expect(finished).toMatchObject({
      status: 'failed',
      finished_at: anyNumber,
      error: anyString,
    });
    expect((await page({ limit: 1 })).data[0]!.workflow_run).toMatchObject({ status: 'failed' });
  });
});

describe('Dify workflow run detail', () => {
  const detail = (id: string, headers = DIFY) =>
    call<Record<string, unknown>>(`${emulator.difyUrl}/workflows/run/${id}`, { headers });

  it('serves a run with inputs as a JSON string and outputs as an object', async () => {
    const run = emulator.dify.runs('demo').find((candidate) => candidate.status === 'succeeded')!;
    const answer = await detail(run.id);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(run);
    expect(typeof answer.body.inputs).toBe('string');
    expect(JSON.parse(answer.body.inputs as string)).toMatchObject({ query: anyString });
    expect(Object.keys(answer.body.outputs as object).length).toBeGreaterThan(0);
    expect(answer.body.inputs).toMatch(/^\{"[a-z_]+": /);
  });

  it("answers 404 not_found for an unknown run and for another tenant's run", async () => {
    const missing = await detail('3f0c8a52-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      code: 'not_found',
      message: 'Workflow run not found.',
      status: 404,
    });
    const foreign = emulator.dify.runs('other')[0]!;
    expect((await detail(foreign.id)).status).toBe(404);
    expect((await detail(foreign.id, DIFY_OTHER)).status).toBe(200);
  });
});
