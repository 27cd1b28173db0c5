import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, FAL, FAL_OTHER, HOUR, NOW, queryString, startTestEmulator } from './support.js';
import type { Params } from './support.js';

interface ListedApp {
  endpoint_id: string;
  name: string;
  owner: string;
  environment: string;
  updated_at: string;
  endpoints?: string[];
  [setting: string]: unknown;
}

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});
afterAll(() => emulator.close());

function listApps(params: Params = {}, headers: Record<string, string> = FAL) {
  return call<{ apps: ListedApp[] }>(`${emulator.falUrl}/serverless/apps${queryString(params)}`, {
    headers,
  });
}

async function names(params: Params) {
  const answer = await listApps(params);
  expect(answer.status).toBe(200);
  return answer.body.apps.map((app) => app.name);
}

const demoNames = () => emulator.fal.apps('demo').map((app) => app.name);

describe('fal apps list', () => {
  it.each([
    ['no key', {}],
    ['an unknown key', { authorization: 'Key nobody:nothing' }],
    ['a bearer token', { authorization: 'Bearer demo-fal-key:demo-fal-secret' }],
  ])('answers 401 with %s', async (_, headers) => {
    const answer = await listApps({}, headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { type: 'authorization_error' } });
  });

  it("lists the key's own apps with their canonical ids and deployment settings", async () => {
    const answer = await listApps();
    expect(answer.status).toBe(200);
    const expected = emulator.fal.apps('demo').map((app) => ({
      endpoint_id: `acme/${app.name}`,
      name: app.name,
      owner: 'acme',
      environment: 'main',
      updated_at: app.updatedAt,
      ...app.settings,
    }));
    expect(answer.body.apps).toEqual(expected);
    for (const app of answer.body.apps) {
      expect(app.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(NOW - Date.parse(app.updated_at)).toBeLessThanOrEqual(12 * HOUR);
      expect(app.max_concurrency).toBeGreaterThanOrEqual(app.min_concurrency as number);
    }
  });

  it('lists only the apps of the key it is called with', async () => {
    const other = await listApps({}, FAL_OTHER);
    expect(other.body.apps.map((app) => app.endpoint_id)).toEqual(
      emulator.fal.apps('other').map((app) => app.id),
    );
    expect(other.body.apps.every((app) => app.owner === 'globex')).toBe(true);
  });

  it('adds the route-level endpoint ids with expand=endpoints, in any spelling', async () => {
    const expected = emulator.fal.apps('demo').map((app) => app.endpoints);
    expect(expected.some((endpoints) => endpoints.length > 1)).toBe(true);
    for (const expand of ['endpoints', ['billing', 'endpoints'], 'payloads,endpoints']) {
      const answer = await listApps({ expand });
      expect(answer.body.apps.map((app) => app.endpoints)).toEqual(expected);
    }
    const plain = await listApps({ expand: 'everything' });
    expect(plain.status).toBe(200);
    expect(plain.body.apps.some((app) => 'endpoints' in app)).toBe(false);
  });

  it('matches search as a case-insensitive substring of the name', async () => {
    expect(await names({ search: 'FLUX' })).toEqual(['flux-studio']);
    expect(await names({ search: 'r' })).toEqual(demoNames().filter((name) => name.includes('r')));
    expect(await names({ search: 'Studio' })).toEqual(['flux-studio']);
    expect(await names({ search: 'acme' })).toEqual([]);
    expect(await names({ search: '' })).toEqual(demoNames());
  });

  it('reads the main environment unless told otherwise', async () => {
    expect(await names({ environment: 'main' })).toEqual(demoNames());
    expect(await names({ environment: 'staging' })).toEqual([]);
  });

  it('is recorded as apps.list and takes its own faults', async () => {
    emulator.setFault('apps.list', { status: 503, times: 1 });
    const failed = await listApps();
    expect(failed).toMatchObject({ status: 503, body: { error: { type: 'server_error' } } });
    expect((await listApps({ search: 'flux' })).status).toBe(200);
    expect(emulator.calls({ route: 'apps.list' })).toEqual([
      expect.objectContaining({ source: 'fal', method: 'GET', status: 503, query: {} }),
      expect.objectContaining({ status: 200, query: { search: ['flux'] } }),
    ]);
  });

  it('answers a malformedBody fault with apps missing required fields', async () => {
    emulator.setFault('apps.list', { malformedBody: true, times: 1 });
    const answer = await listApps();
    expect(answer.status).toBe(200);
    expect(answer.body.apps[0]).not.toHaveProperty('endpoint_id');
  });
});
