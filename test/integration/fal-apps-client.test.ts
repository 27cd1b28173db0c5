import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { UpstreamError } from '../../src/errors.js';
import { FalClient } from '../../src/upstreams/fal/client.js';

const AUTHORIZATION = `Key ${DEMO_KEYS.fal}`;

let emulator: Emulator;
let client: FalClient;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 7, scale: 0.05 });
  const config = loadConfig({ FAL_API_URL: emulator.falUrl, LOG_LEVEL: 'silent' });
  client = new FalClient(config.falApiUrl, config.upstream);
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

describe('FalClient.apps', () => {
  it("reads the key's apps, passing the fields it does not use through its schema", async () => {
    const { apps } = await client.apps(AUTHORIZATION, {}, { requestId: 'req-apps-1' });
    expect(apps).toEqual(
      emulator.fal
        .apps('demo')
        .map((app): unknown => expect.objectContaining({ endpoint_id: app.id, name: app.name })),
    );
    expect(apps[0]).not.toHaveProperty('endpoints');
    expect(emulator.calls()).toEqual([
      expect.objectContaining({
        route: 'apps.list',
        path: '/v1/serverless/apps',
        query: {},
        authorization: AUTHORIZATION,
        requestId: 'req-apps-1',
      }),
    ]);
  });

  it('sends environment, search and expand as the upstream names them', async () => {
    const flux = emulator.fal.apps('demo').find((app) => app.name === 'flux-studio')!;
    const { apps } = await client.apps(AUTHORIZATION, {
      environment: 'main',
      search: 'FLUX',
      expand: ['endpoints'],
    });
    expect(apps).toEqual([
      expect.objectContaining({ endpoint_id: flux.id, owner: 'acme', endpoints: flux.endpoints }),
    ]);
    expect(emulator.calls()[0]?.query).toEqual({
      environment: ['main'],
      search: ['FLUX'],
      expand: ['endpoints'],
    });
  });

  it('classifies a refused key and a malformed answer', async () => {
    await expect(client.apps('Key nobody:nothing', {})).rejects.toMatchObject({
      details: { code: 'UNAUTHENTICATED', source: 'fal', upstreamStatus: 401 },
    });
    emulator.setFault('apps.list', { malformedBody: true, times: 1 });
    const malformed = await client.apps(AUTHORIZATION, {}).catch((error: unknown) => error);
    expect(malformed).toBeInstanceOf(UpstreamError);
    expect(malformed).toMatchObject({ details: { code: 'UPSTREAM_ERROR' } });
  });
});
