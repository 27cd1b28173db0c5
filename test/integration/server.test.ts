import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    gateway: { graphiqlHeaders: { 'X-Fal-Authorization': `Key ${DEMO_KEYS.fal}` } },
  });
});
afterAll(() => stack.close());

describe('routes', () => {
  it('answers /health and /ready', async () => {
    expect((await request(`${stack.url}/health`)).statusCode).toBe(200);
    expect((await request(`${stack.url}/ready`)).statusCode).toBe(200);
  });

  it('serves GraphiQL to browsers with the example operation and the pre-filled headers', async () => {
    const response = await request(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    const html = await response.body.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('FalLogsPage');
    expect(html).toContain('X-Fal-Authorization');
  });

  it('answers GET queries too', async () => {
    const response = await request(
      `${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`,
      { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } },
    );
    expect(await response.body.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

describe('the process entry', () => {
  it('refuses a bad setting at start, naming the variable', async () => {
    const child = spawn(TSX, [MAIN], { env: { ...process.env, PORT: 'eighty' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
  });

  it('prints where it listens and exits 0 on SIGTERM', async () => {
    const child = spawn(TSX, [MAIN], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FAL_API_URL: stack.emulator.falUrl },
    });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('/graphql')) resolve();
      });
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stdout)![1]!;
    expect((await request(`${url}/health`)).statusCode).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
