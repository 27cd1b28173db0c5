import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, DIFY, FAL, startTestEmulator } from './support.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

describe('the routes the emulators serve', () => {
  it('lists every route with its method and URL', () => {
    expect(emulator.routes.map(({ method, url }) => `${method} ${url}`)).toEqual([
      `POST ${emulator.falUrl}/serverless/logs/history`,
      `POST ${emulator.falUrl}/serverless/logs/stream`,
      `GET ${emulator.falUrl}/serverless/requests/by-endpoint`,
      `GET ${emulator.falUrl}/serverless/apps`,
      `GET ${emulator.difyUrl}/workflows/logs`,
      `GET ${emulator.difyUrl}/workflows/run/{id}`,
      `POST ${emulator.falLegacyUrl}/logs/`,
    ]);
  });

  it('answers a route called with the wrong method with 405, naming the method', async () => {
    for (const route of emulator.routes) {
      const wrong = route.method === 'GET' ? 'POST' : 'GET';
      const headers = route.source === 'fal' ? FAL : DIFY;
      const answer = await call(route.url.replace('{id}', 'some-id'), { method: wrong, headers });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe(route.method);
      expect(JSON.stringify(answer.body)).toContain(`${wrong} is not allowed`);
      if (route.source === 'dify')
        expect(answer.body).toMatchObject({ code: 'method_not_allowed' });
    }
    expect(emulator.calls()).toEqual([]);
  });
});

const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const MAIN = new URL('../../src/emulator/main.ts', import.meta.url).pathname;

describe('npm run emulator', () => {
  let entry: ChildProcessWithoutNullStreams;
  let printed = '';
  beforeAll(async () => {
    entry = spawn(TSX, [MAIN], {
      env: { ...process.env, EMULATOR_FAL_PORT: '0', EMULATOR_DIFY_PORT: '0' },
      timeout: 60_000,
    });
    for await (const chunk of entry.stdout) {
      printed += (chunk as Buffer).toString();
      if (printed.includes('Ctrl+C')) break;
    }
  }, 40_000);
  afterAll(() => void entry.kill());

  const curlLines = () =>
    printed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('curl '));

  it('prints each route with its method and one ready curl line, which works as printed', async () => {
    expect(printed.match(/^ {2}(GET|POST) +http\S+$/gm)).toHaveLength(7);
    expect(curlLines()).toHaveLength(7);
    for (const line of curlLines()) {
      const streams = line.includes('/logs/stream');
      const { stdout } = await promisify(execFile)('sh', [
        '-c',
        // A live stream never ends: curl stops it (exit 28) after a second.
        `${line} --fail --max-time 1${streams ? ' || [ $? -eq 28 ]' : ''}`,
      ]);
      // The legacy API answers a bare array; the others an object.
      expect(stdout, line).toMatch(streams ? /^: connected/ : /^[{[]/);
    }
  });
});
