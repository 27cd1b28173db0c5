import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import {
  anyString,
  containing,
  DAY,
  FAL,
  history,
  HOUR,
  micros,
  NOW,
  startTestEmulator,
} from './support.js';
import type { HistoryPage, WireLine } from './support.js';

let emulator: Emulator;
let stored: readonly WireLine[];

beforeAll(async () => {
  emulator = await startTestEmulator();
  stored = emulator.fal.lines('demo');
});
afterAll(() => emulator.close());

const iso = (ms: number) => new Date(ms).toISOString();
const inWindow = (start: number, end: number) =>
  stored.filter(
    (line) => micros(line.timestamp) >= start * 1000 && micros(line.timestamp) < end * 1000,
  );

async function page(params: Record<string, string | number | string[]>, body?: unknown) {
  const answer = await history(emulator, params, body);
  expect(answer.status).toBe(200);
  return answer.body;
}

/**
 * Every line of a window (default the last 24 h), fetched in hour slices that each fit one
 * page, so that no page boundary splits a burst.
 */
async function all(params: Record<string, string | number | string[]>, body?: unknown) {
  const start = typeof params.start === 'string' ? Date.parse(params.start) : NOW - DAY;
  const end = typeof params.end === 'string' ? Date.parse(params.end) : NOW + 1;
  const lines: WireLine[] = [];
  for (let sliceEnd = end; sliceEnd > start; sliceEnd -= HOUR) {
    const slice = { start: iso(Math.max(start, sliceEnd - HOUR)), end: iso(sliceEnd) };
    const result = await page({ ...params, ...slice, limit: 1000 }, body);
    expect(result.has_more).toBe(false);
    lines.push(...result.items);
  }
  return lines;
}

describe('fal logs history: auth', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Key nobody:nothing' }],
    ['the wrong scheme', { authorization: `Bearer ${FAL.authorization.slice(4)}` }],
  ])('answers 401 authorization_error for %s', async (_, headers) => {
    const answer = await history(emulator, {}, undefined, headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      error: { type: 'authorization_error', message: anyString },
    });
  });
});

describe('fal logs history: validation', () => {
  it.each([
    ['limit', { limit: 0 }],
    ['limit', { limit: 1001 }],
    ['limit', { limit: 'ten' }],
    ['start', { start: 'yesterday' }],
    ['start', { start: '2025-06-01T10:00:00' }],
    ['end', { end: '2025-13-01' }],
    ['cursor', { cursor: 'page-2' }],
    ['run_source', { run_source: 'cli' }],
    ['traceback', { traceback: 'maybe' }],
    ['level', { level: 'loud' }],
    ['app_id', { app_id: 'no-owner' }],
    ['app_id', { app_id: Array.from({ length: 51 }, (_, i) => `acme/app-${i}`) }],
  ])('rejects a bad %s with a validation_error naming it', async (param, params) => {
    const answer = await history(emulator, params);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { type: 'validation_error' } });
    expect((answer.body as unknown as { error: { message: string } }).error.message).toContain(
      param,
    );
  });

  it.each([
    ['not JSON', '[{"key":'],
    ['an object', { key: 'fal_env', value: 'prod' }],
    ['an unknown property', [{ key: 'fal_env', value: 'prod', op: 'equals' }]],
    ['an unknown condition', [{ key: 'fal_env', value: 'prod', condition_type: 'like' }]],
    ['a number value', [{ key: 'fal_env', value: 1 }]],
  ])('rejects a label body that is %s', async (_, body) => {
    const answer = await history(emulator, {}, body);
    expect(answer.status).toBe(400);
    expect(
      (answer.body as unknown as { error: { type: string; message: string } }).error,
    ).toMatchObject({
      type: 'validation_error',
      message: containing('body'),
    });
  });

  it('accepts date-only bounds, comma-separated app ids, an empty body and []', async () => {
    for (const body of [undefined, '', []]) {
      const answer = await history(
        emulator,
        { start: '2025-05-31', app_id: 'acme/flux-studio,acme/llm-router' },
        body,
      );
      expect(answer.status).toBe(200);
    }
  });
});

describe('fal logs history: window and order', () => {
  it('defaults to the 100 newest lines of the last 24 hours', async () => {
    const expected = inWindow(NOW - DAY, NOW + 1);
    expect(expected.length).toBeGreaterThan(100);
    const { items, has_more, next_cursor } = await page({});
    expect(items).toEqual(expected.slice(0, 100));
    expect(has_more).toBe(true);
    expect(next_cursor).toBe(items.at(-1)?.timestamp);
  });

  it('serves the default window newest first, older lines only when asked', async () => {
    const walked: WireLine[] = [];
    for (let cursor: string | null | undefined; cursor !== null;) {
      const result: HistoryPage = await page({ limit: 1000, ...(cursor ? { cursor } : {}) });
      walked.push(...result.items);
      cursor = result.next_cursor;
    }
    const expected = inWindow(NOW - DAY, NOW + 1);
    const walkedKeys = new Set(walked.map((line) => JSON.stringify(line)));
    expect(walked).toEqual(expected.filter((line) => walkedKeys.has(JSON.stringify(line))));
    expect(await all({})).toEqual(expected);
    const older = stored.filter((line) => micros(line.timestamp) < (NOW - DAY) * 1000);
    expect(older.length).toBeGreaterThan(0);
    const { items, has_more } = await page({
      start: iso(NOW - 90 * DAY),
      end: iso(NOW - DAY),
      limit: 1000,
    });
    expect(has_more).toBe(false);
    expect(items).toEqual(older);
  });

  it('includes start and excludes end', async () => {
    const t = Date.parse('2031-03-03T03:03:03.003Z');
    emulator.fal.appendLines(
      'demo',
      [t - 1, t, t + 1].map((ms) => ({ timestamp: iso(ms), message: `edge ${ms - t}` })),
    );
    const { items } = await page({ start: iso(t), end: iso(t + 1) });
    expect(items.map((line) => line.message)).toEqual(['edge 0']);
  });

  it('orders lines sharing a timestamp newest inserted first', async () => {
    const timestamp = '2031-04-04T04:04:04.004Z';
    emulator.fal.appendLines(
      'demo',
      ['a', 'b', 'c'].map((message) => ({ timestamp, message })),
    );
    emulator.fal.appendLines('demo', [{ timestamp, message: 'd' }]);
    const { items } = await page({ start: '2031-04-04', end: '2031-04-05' });
    expect(items.map((line) => line.message)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('stores odd lines verbatim and orders them by their instant', async () => {
    emulator.fal.appendLines('demo', [
      { timestamp: '2031-05-05T12:16:10.599608', level: 'notice', message: 'naive micros' },
      { timestamp: '2031-05-05T12:16:11+00:00', level: 'WARNING', message: 'offset' },
      { timestamp: '2031-05-05T13:16:09.5+01:00', level: 'stdout', message: 'earlier, other zone' },
    ]);
    const { items } = await page({ start: '2031-05-05', end: '2031-05-06' });
    expect(items.map((line) => [line.timestamp, line.level, line.message])).toEqual([
      ['2031-05-05T12:16:11+00:00', 'WARNING', 'offset'],
      ['2031-05-05T12:16:10.599608', 'notice', 'naive micros'],
      ['2031-05-05T13:16:09.5+01:00', 'stdout', 'earlier, other zone'],
    ]);
    expect(emulator.fal.lines('demo').slice(0, 3)).toEqual(
      emulator.fal.lines('demo').filter((line) => line.timestamp.startsWith('2031-05-05T1')),
    );
  });
});

describe('fal logs history: the timestamp cursor', () => {
  const burstAt = '2032-01-01T00:00:30.000Z';

  beforeAll(() => {
    emulator.fal.appendLines('demo', [
      ...[10, 20].map((s) => ({ timestamp: `2032-01-01T00:00:${s}.000Z`, message: `before ${s}` })),
      ...Array.from({ length: 30 }, (_, i) => ({ timestamp: burstAt, message: `burst ${i}` })),
      ...[40, 50].map((s) => ({ timestamp: `2032-01-01T00:00:${s}.000Z`, message: `after ${s}` })),
    ]);
  });

  it('points next_cursor at the last line and serves lines strictly older than it', async () => {
    const first = await page({ start: '2032-01-01', end: '2032-01-02', limit: 5 });
    expect(first.items.map((line) => line.message)).toEqual([
      'after 50',
      'after 40',
      'burst 29',
      'burst 28',
      'burst 27',
    ]);
    expect(first).toMatchObject({ has_more: true, next_cursor: burstAt });
    const second = await page({
      start: '2032-01-01',
      end: '2032-01-02',
      limit: 5,
      cursor: burstAt,
    });
    expect(second.items.map((line) => line.message)).toEqual(['before 20', 'before 10']);
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('makes a naive walk lose the rest of a burst at a page boundary', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const result: HistoryPage = await page({
        start: '2032-01-01',
        end: '2032-01-02',
        limit: 10,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...result.items.map((line) => line.message));
      cursor = result.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(seen.filter((message) => message.startsWith('burst'))).toHaveLength(8);
  });

  it('reports has_more only when a further matching line exists', async () => {
    const exact = await page({ start: '2032-01-01', end: '2032-01-02', limit: 34 });
    expect(exact).toMatchObject({ has_more: false, next_cursor: null });
    const short = await page({ start: '2032-01-01', end: '2032-01-02', limit: 33 });
    expect(short).toMatchObject({ has_more: true, next_cursor: '2032-01-01T00:00:20.000Z' });
  });

  it('accepts limits up to 1000', async () => {
    expect((await page({ limit: 1000 })).items).toHaveLength(1000);
    expect((await page({ limit: 1 })).items).toHaveLength(1);
  });
});

/** fal's own ranks (NOTES.md). */
const RANK: Record<string, number> = {
  trace: 0,
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  stdout: 100,
  stderr: 110,
};
const rank = (level: string) => RANK[level.toLowerCase()] ?? RANK.info!;

describe('fal logs history: filters', () => {
  const window = { start: iso(NOW - DAY), end: iso(NOW) };
  const recent = () => inWindow(NOW - DAY, NOW);

  it('search matches message substrings case-insensitively', async () => {
    const lines = await all({ ...window, search: 'HEARTBEAT' });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual(
      recent().filter((line) => line.message.toLowerCase().includes('heartbeat')),
    );
  });

  it.each(['warning', 'ERROR', 'stdout'])(
    'level=%s keeps lines at or above it, stdout and stderr always',
    async (level) => {
      const lines = await all({ ...window, level });
      expect(lines).toEqual(recent().filter((line) => rank(line.level) >= rank(level)));
      expect(lines.some((line) => line.level === 'STDERR')).toBe(true);
    },
  );

  it('level=stderr keeps stderr lines only: stderr ranks above stdout', async () => {
    const lines = await all({ ...window, level: 'stderr' });
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((line) => line.level))).toEqual(new Set(['STDERR']));
    expect(lines).toEqual(recent().filter((line) => line.level === 'STDERR'));
  });

  it('ranks levels it does not know as info', async () => {
    const notices = recent().filter((line) => line.level === 'notice');
    expect(notices.length).toBeGreaterThan(0);
    expect(await all({ ...window, level: 'info', search: 'configuration reloaded' })).toEqual(
      notices,
    );
    expect(await all({ ...window, level: 'warning', search: 'configuration reloaded' })).toEqual(
      [],
    );
  });

  it('app_id keeps those apps, repeated or comma-separated', async () => {
    const [flux, router] = emulator.fal.apps('demo');
    const expected = recent().filter(
      (line) => line.app === flux!.name || line.app === router!.name,
    );
    expect(await all({ ...window, app_id: [flux!.id, router!.id] })).toEqual(expected);
    expect(await all({ ...window, app_id: `${flux!.id},${router!.id}` })).toEqual(expected);
  });

  it('revision, run_source, job_id and request_id match the line and its labels', async () => {
    const sample = recent().find((line) => line.labels.fal_request_id)!;
    const cases: [Record<string, string>, (line: WireLine) => boolean][] = [
      [{ revision: sample.revision }, (line) => line.revision === sample.revision],
      [{ run_source: 'cron' }, (line) => line.labels.source === 'cron'],
      [
        { job_id: sample.labels.fal_job_id! },
        (line) => line.labels.fal_job_id === sample.labels.fal_job_id,
      ],
      [
        { request_id: sample.labels.fal_request_id! },
        (line) => line.labels.fal_request_id === sample.labels.fal_request_id,
      ],
    ];
    for (const [params, keep] of cases) {
      const lines = await all({ ...window, ...params });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines).toEqual(recent().filter(keep));
    }
  });

  it('applies label conditions: equals (default), in, not_equals, not_in', async () => {
    const requestIds = [
      ...new Set(
        recent().flatMap((line) =>
          line.labels.fal_request_id ? [line.labels.fal_request_id] : [],
        ),
      ),
    ].slice(0, 5);
    const inRequests = await all(window, [
      { key: 'fal_request_id', value: requestIds, condition_type: 'in' },
    ]);
    expect(inRequests).toEqual(
      recent().filter((line) => requestIds.includes(line.labels.fal_request_id ?? '')),
    );

    const notIn = await all(window, [
      { key: 'source', value: 'gateway' },
      { key: 'fal_request_id', value: requestIds, condition_type: 'not_in' },
    ]);
    expect(notIn).toEqual(
      recent().filter(
        (line) =>
          line.labels.source === 'gateway' &&
          !requestIds.includes(line.labels.fal_request_id ?? ''),
      ),
    );

    const background = await all(window, [
      { key: 'source', value: 'gateway', condition_type: 'not_equals' },
    ]);
    expect(background.length).toBeGreaterThan(0);
    expect(background.every((line) => line.labels.fal_request_id === undefined)).toBe(true);
    expect(
      await all(window, [{ key: 'no_such_label', value: 'x', condition_type: 'equals' }]),
    ).toEqual([]);
  });

  it('adds the traceback label to error lines only when asked', async () => {
    const errors = await all({ ...window, level: 'error', search: 'request failed' });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((line) => 'traceback' in line.labels)).toBe(false);
    const withTracebacks = await all({
      ...window,
      level: 'error',
      search: 'request failed',
      traceback: 'true',
    });
    expect(withTracebacks.map((line) => line.labels.traceback)).toEqual(
      errors.map(() => containing('Traceback (most recent call last):')),
    );
    const others = await all({
      ...window,
      level: 'info',
      search: 'request completed',
      traceback: 'true',
    });
    expect(others.some((line) => 'traceback' in line.labels)).toBe(false);
  });
});
