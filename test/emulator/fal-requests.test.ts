import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, FalRequestRecord } from '../../src/emulator/index.js';
import { call, containing, DAY, FAL, NOW, queryString, startTestEmulator } from './support.js';
import type { Params } from './support.js';

interface Page {
  items: (Record<string, unknown> & { request_id: string; endpoint_id: string })[];
  next_cursor: string | null;
  has_more: boolean;
}

let emulator: Emulator;
let appId: string;
let routeEndpoint: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  const app = emulator.fal.apps('demo').find((candidate) => candidate.endpoints.length > 1)!;
  appId = app.id;
  routeEndpoint = app.endpoints[1]!;
});
afterAll(() => emulator.close());

function byEndpoint(params: Params, headers = FAL) {
  return call<Page>(`${emulator.falUrl}/serverless/requests/by-endpoint${queryString(params)}`, {
    headers,
  });
}

async function page(params: Params) {
  const answer = await byEndpoint(params);
  expect(answer.status).toBe(200);
  return answer.body;
}

async function walk(params: Params) {
  const items: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const result: Page = await page({ ...params, ...(cursor ? { cursor } : {}) });
    items.push(...result.items);
    cursor = result.next_cursor;
  } while (cursor);
  return items;
}

const sentWithin = (record: FalRequestRecord, days: number) =>
  Date.parse(record.sent_at) >= NOW - days * DAY && Date.parse(record.sent_at) <= NOW;
const ofApp = (record: FalRequestRecord) =>
  record.endpoint_id === appId || record.endpoint_id.startsWith(`${appId}/`);
const endedDescending = (a: FalRequestRecord, b: FalRequestRecord) =>
  (b.ended_at ? Date.parse(b.ended_at) : Infinity) -
    (a.ended_at ? Date.parse(a.ended_at) : Infinity) ||
  Date.parse(b.sent_at) - Date.parse(a.sent_at);
const ids = (items: { request_id: string }[]) => items.map((item) => item.request_id);

describe('fal requests by endpoint', () => {
  it('answers 401 without a valid key', async () => {
    const answer = await byEndpoint({ endpoint_id: appId }, { authorization: 'Key wrong' });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { type: 'authorization_error' } });
  });

  it.each([
    ['endpoint_id', {}],
    ['endpoint_id', { endpoint_id: Array.from({ length: 51 }, (_, i) => `acme/app-${i}`) }],
    ['limit', { endpoint_id: 'acme/x', limit: 0 }],
    ['limit', { endpoint_id: 'acme/x', limit: 101 }],
    ['cursor', { endpoint_id: 'acme/x', cursor: 'bogus' }],
    ['cursor', { endpoint_id: 'acme/x', cursor: Buffer.from('0').toString('base64') }],
    ['status', { endpoint_id: 'acme/x', status: 'ok' }],
    ['request_id', { endpoint_id: 'acme/x', request_id: 'req_123' }],
    ['expand', { endpoint_id: 'acme/x', expand: 'logs' }],
    ['sort_by', { endpoint_id: 'acme/x', sort_by: 'started_at' }],
    ['start', { endpoint_id: 'acme/x', start: '01/06/2025' }],
  ])('rejects a bad %s with a validation_error naming it', async (param, params) => {
    const answer = await byEndpoint(params);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { type: 'validation_error', message: containing(param) },
    });
  });

  it('lists the last 24 hours of a bare app id with its route-level endpoints, ended_at descending, pending first', async () => {
    const expected = emulator.fal
      .requests('demo')
      .filter((record) => ofApp(record) && sentWithin(record, 1))
      .sort(endedDescending);
    expect(new Set(expected.map((record) => record.endpoint_id)).size).toBeGreaterThan(1);
    const items = await walk({ endpoint_id: appId, limit: 100 });
    expect(ids(items)).toEqual(ids(expected));
    expect(items[0]).toMatchObject({ ended_at: null, status_code: null, duration: null });
  });

  it('keeps a route-level id to that route exactly', async () => {
    const items = await walk({ endpoint_id: routeEndpoint, limit: 100 });
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((item) => item.endpoint_id))).toEqual(new Set([routeEndpoint]));
  });

  it('pages with base64 page-number cursors and has_more', async () => {
    const all = await walk({ endpoint_id: appId, limit: 100 });
    const first = await page({ endpoint_id: appId, limit: 7 });
    expect(first).toMatchObject({
      has_more: true,
      next_cursor: Buffer.from('2').toString('base64'),
    });
    expect(ids(await walk({ endpoint_id: appId, limit: 7 }))).toEqual(ids(all));
    const lastPage = Math.ceil(all.length / 7);
    const last = await page({
      endpoint_id: appId,
      limit: 7,
      cursor: Buffer.from(String(lastPage)).toString('base64'),
    });
    expect(last).toMatchObject({ has_more: false, next_cursor: null });
    expect(last.items).toHaveLength(all.length - (lastPage - 1) * 7);
  });

  it('defaults to 50 items', async () => {
    expect((await page({ endpoint_id: appId })).items).toHaveLength(50);
  });

  it('adds payloads and billing only when expanded', async () => {
    const plain = await page({ endpoint_id: appId, limit: 100 });
    expect(Object.keys(plain.items[0]!).sort()).toEqual(
      [
        'duration',
        'endpoint_id',
        'ended_at',
        'request_id',
        'runner_id',
        'sent_at',
        'started_at',
        'status_code',
      ].sort(),
    );
    const payloads = await page({ endpoint_id: appId, limit: 100, expand: 'payloads' });
    expect(
      payloads.items.every(
        (item) => 'json_input' in item && 'json_output' in item && !('billable_units' in item),
      ),
    ).toBe(true);
    const both = await page({ endpoint_id: appId, limit: 100, expand: ['payloads', 'billing'] });
    const stored = new Map(
      emulator.fal.requests('demo').map((record) => [record.request_id, record]),
    );
    for (const item of both.items) {
      const record = stored.get(item.request_id)!;
      expect(item).toEqual(record);
    }
    expect(both.items.some((item) => item.billable_units === null)).toBe(true);
    expect(
      (await page({ endpoint_id: appId, expand: 'payloads,billing' })).items[0],
    ).toHaveProperty('billable_units');
  });

  it.each([
    ['success', 2],
    ['user_error', 4],
    ['error', 5],
  ] as const)('status=%s keeps %ixx requests only', async (status, hundreds) => {
    const expected = emulator.fal
      .requests('demo')
      .filter((record) => ofApp(record) && sentWithin(record, 1))
      .filter((record) => Math.floor((record.status_code ?? 0) / 100) === hundreds);
    expect(expected.length).toBeGreaterThan(0);
    const items = await walk({ endpoint_id: appId, status, limit: 100 });
    expect(new Set(ids(items))).toEqual(new Set(ids(expected)));
  });

  it('sorts by duration descending, pending first', async () => {
    const items = await walk({ endpoint_id: appId, sort_by: 'duration', limit: 100 });
    const durations = items.map((item) => (item.duration as number | null) ?? Infinity);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(durations[0]).toBe(Infinity);
  });

  it('widens the default window to 90 days when request_id is given without start', async () => {
    const old = emulator.fal.requests('demo').find((record) => !sentWithin(record, 1))!;
    expect(old).toBeDefined();
    const endpointId = old.endpoint_id;
    expect(ids((await page({ endpoint_id: endpointId })).items)).not.toContain(old.request_id);
    expect(
      ids((await page({ endpoint_id: endpointId, request_id: old.request_id })).items),
    ).toEqual([old.request_id]);
    const bounded = await page({
      endpoint_id: endpointId,
      request_id: old.request_id,
      start: new Date(NOW - DAY).toISOString(),
    });
    expect(bounded.items).toEqual([]);
  });

  it('honours explicit start and end with end exclusive', async () => {
    const record = emulator.fal
      .requests('demo')
      .find((candidate) => ofApp(candidate) && sentWithin(candidate, 1))!;
    const found = await page({
      endpoint_id: appId,
      start: record.sent_at,
      end: new Date(Date.parse(record.sent_at) + 1).toISOString(),
    });
    expect(ids(found.items)).toContain(record.request_id);
    const excluded = await page({
      endpoint_id: appId,
      start: new Date(Date.parse(record.sent_at) - 1000).toISOString(),
      end: record.sent_at,
    });
    expect(ids(excluded.items)).not.toContain(record.request_id);
  });
});
