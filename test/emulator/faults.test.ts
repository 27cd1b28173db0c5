import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { anyString, call, DIFY, FAL, history, startTestEmulator, waitUntil } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});
afterAll(() => emulator.close());

const difyLogs = (headers: Record<string, string> = DIFY) =>
  call(`${emulator.difyUrl}/workflows/logs?limit=1`, { headers });

describe('call recording', () => {
  it('records every call with its query, body, authorization and answered status', async () => {
    await history(emulator, { app_id: ['acme/a', 'acme/b'], limit: 2 }, [
      { key: 'fal_env', value: 'prod' },
    ]);
    await history(emulator, {}, undefined, {});
    await call(`${emulator.difyUrl}/workflows/logs?page=1&page=2`, { headers: DIFY });
    expect(emulator.calls()).toEqual([
      {
        source: 'fal',
        route: 'logs.history',
        method: 'POST',
        path: '/v1/serverless/logs/history',
        query: { app_id: ['acme/a', 'acme/b'], limit: ['2'] },
        body: [{ key: 'fal_env', value: 'prod' }],
        authorization: FAL.authorization,
        status: 200,
      },
      expect.objectContaining({
        route: 'logs.history',
        authorization: undefined,
        body: undefined,
        status: 401,
      }),
      expect.objectContaining({
        source: 'dify',
        route: 'workflows.logs',
        query: { page: ['1', '2'] },
        status: 200,
      }),
    ]);
    expect(emulator.calls({ source: 'dify' })).toHaveLength(1);
    expect(emulator.calls({ route: 'logs.history' })).toHaveLength(2);
    emulator.resetCalls();
    expect(emulator.calls()).toEqual([]);
  });

  it('answers unknown paths with 404 in the envelope and does not record them', async () => {
    const fal = await call(`${emulator.falUrl}/serverless/metrics`, { headers: FAL });
    expect(fal).toMatchObject({ status: 404, body: { error: { type: 'not_found' } } });
    const dify = await call(`${emulator.difyUrl}/workflows/metrics`, { headers: DIFY });
    expect(dify).toMatchObject({ status: 404, body: { code: 'not_found', status: 404 } });
    expect(emulator.calls()).toEqual([]);
  });
});

describe('faults', () => {
  it('429 carries Retry-After, and x-ratelimit-reset on fal', async () => {
    emulator.setFault('logs.history', { status: 429, retryAfterSeconds: 7 });
    const fal = await history(emulator);
    expect(fal.status).toBe(429);
    expect(fal.headers).toMatchObject({ 'retry-after': '7', 'x-ratelimit-reset': '7' });
    expect(fal.body).toMatchObject({ error: { type: 'rate_limited' } });

    emulator.setFault('workflows.logs', { status: 429, retryAfterSeconds: 3 });
    const dify = await difyLogs();
    expect(dify.headers['retry-after']).toBe('3');
    expect(dify.body).toEqual({
      code: 'too_many_requests',
      message: anyString,
      status: 429,
    });
  });

  it.each([
    [500, 'server_error', 'internal_server_error'],
    [502, 'server_error', 'bad_gateway'],
    [503, 'server_error', 'service_unavailable'],
  ])('%i answers in each envelope', async (status, falType, difyCode) => {
    emulator.setFault('logs.history', { status });
    emulator.setFault('workflows.logs', { status });
    expect(await history(emulator)).toMatchObject({ status, body: { error: { type: falType } } });
    expect(await difyLogs()).toMatchObject({ status, body: { code: difyCode, status } });
  });

  it('affects only its route and only `times` calls', async () => {
    emulator.setFault('logs.history', { status: 500, times: 2 });
    expect((await history(emulator)).status).toBe(500);
    expect(
      (
        await call(`${emulator.falUrl}/serverless/requests/by-endpoint?endpoint_id=acme/x`, {
          headers: FAL,
        })
      ).status,
    ).toBe(200);
    expect((await history(emulator)).status).toBe(500);
    expect((await history(emulator)).status).toBe(200);
    expect(emulator.calls({ route: 'logs.history' }).map((recorded) => recorded.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('applies before authentication', async () => {
    emulator.setFault('workflows.logs', { status: 503, times: 1 });
    expect((await difyLogs({})).status).toBe(503);
    expect((await difyLogs({})).status).toBe(401);
  });

  it('latencyMs delays the answer', async () => {
    emulator.setFault('workflows.run', { latencyMs: 150 });
    const run = emulator.dify.runs('demo')[0]!;
    const started = performance.now();
    const answer = await call(`${emulator.difyUrl}/workflows/run/${run.id}`, { headers: DIFY });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(200);
  });

  it('hang never answers; the call stays recorded with status 0', async () => {
    emulator.setFault('requests.byEndpoint', { hang: true, times: 1 });
    await expect(
      request(`${emulator.falUrl}/serverless/requests/by-endpoint?endpoint_id=acme/x`, {
        headers: FAL,
        headersTimeout: 200,
      }),
    ).rejects.toThrow();
    expect(emulator.calls({ route: 'requests.byEndpoint' })[0]?.status).toBe(0);
    expect(
      (
        await call(`${emulator.falUrl}/serverless/requests/by-endpoint?endpoint_id=acme/x`, {
          headers: FAL,
        })
      ).status,
    ).toBe(200);
  });

  it('malformedBody answers 200 with JSON that misses required fields', async () => {
    emulator.setFault('logs.history', { malformedBody: true });
    emulator.setFault('workflows.logs', { malformedBody: true });
    const fal = await history(emulator);
    expect(fal.status).toBe(200);
    expect(fal.body).not.toHaveProperty('next_cursor');
    expect(fal.body.items[0]).not.toHaveProperty('timestamp');
    const dify = await difyLogs();
    expect(dify.status).toBe(200);
    expect(dify.body).not.toHaveProperty('total');
  });

  it('resetMidBody sends 200 and part of the body, then resets the connection', async () => {
    emulator.setFault('workflows.logs', { resetMidBody: true });
    const response = await request(`${emulator.difyUrl}/workflows/logs`, { headers: DIFY });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    expect(emulator.calls({ route: 'workflows.logs' })[0]?.status).toBe(200);
  });

  it('close() does not wait for hung calls', async () => {
    const own = await startTestEmulator({ scale: 0.05 });
    own.setFault('logs.history', { hang: true });
    const hung = history(own).catch((error: unknown) => error);
    await waitUntil(() => own.calls().length === 1);
    await own.close();
    expect(await hung).toBeInstanceOf(Error);
  });
});
