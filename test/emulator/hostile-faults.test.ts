import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { DIFY, FAL, startTestEmulator, waitUntil } from './support.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});
afterAll(() => emulator.close());

const historyUrl = () => `${emulator.falUrl}/serverless/logs/history?limit=1`;
const streamUrl = () => `${emulator.falUrl}/serverless/logs/stream`;

/** Reads the body until `bytes` have arrived, then leaves; resolves to what was read. */
async function readFirst(url: string, bytes: number, method: 'GET' | 'POST' = 'POST') {
  const response =
    method === 'GET'
      ? await request(url, { headers: DIFY })
      : await request(url, { method, headers: FAL, body: '[]' });
  let text = '';
  for await (const chunk of response.body) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length >= bytes) break;
  }
  return { status: response.statusCode, text };
}

describe('hostile faults', () => {
  it('trickleBodyMs sends the whole body a byte at a time, then ends', async () => {
    const normal = await request(historyUrl(), { method: 'POST', headers: FAL, body: '[]' });
    const expected = await normal.body.text();
    emulator.setFault('logs.history', { trickleBodyMs: 1 });
    const response = await request(historyUrl(), { method: 'POST', headers: FAL, body: '[]' });
    const sizes: number[] = [];
    let text = '';
    for await (const chunk of response.body) {
      sizes.push((chunk as Buffer).length);
      text += (chunk as Buffer).toString('utf8');
    }
    expect(response.statusCode).toBe(200);
    expect(text).toBe(expected);
    expect(sizes.length).toBeGreaterThan(expected.length / 4);
  });

  it('endlessBody on a JSON route sends a JSON document that never closes', async () => {
    emulator.setFault('workflows.logs', { endlessBody: true });
    const { status, text } = await readFirst(`${emulator.difyUrl}/workflows/logs`, 4 << 20, 'GET');
    expect(status).toBe(200);
    expect(text.startsWith('{"items":["xxxx')).toBe(true);
    expect(text.length).toBeGreaterThanOrEqual(4 << 20);
    await waitUntil(() => emulator.inFlight() === 0);
    expect(emulator.calls()[0]?.abandoned).toBe(true);
  });

  it('endlessBody on logs.stream sends one data line that never ends', async () => {
    emulator.setFault('logs.stream', { endlessBody: true });
    const { status, text } = await readFirst(streamUrl(), 2 << 20);
    expect(status).toBe(200);
    expect(text.startsWith('data: {"message":"xxxx')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('endlessEvent on logs.stream sends data lines and never the blank line', async () => {
    emulator.setFault('logs.stream', { endlessEvent: true });
    const { text } = await readFirst(streamUrl(), 2 << 20);
    expect(text.startsWith('data: x\ndata: x\n')).toBe(true);
    expect(text).not.toContain('\n\n');
  });

  it('errorMessage answers its status with the request Authorization quoted', async () => {
    emulator.setFault('logs.history', { status: 401, errorMessage: 'Invalid key {authorization}' });
    const response = await request(historyUrl(), { method: 'POST', headers: FAL, body: '[]' });
    expect(response.statusCode).toBe(401);
    expect(await response.body.json()).toMatchObject({
      error: { message: `Invalid key ${FAL.authorization}` },
    });
  });
});
