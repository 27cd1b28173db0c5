import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { gatewayRequestListener } from '../../src/node-listener.js';

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/** Serves `handle` through the gateway's listener on loopback; resolves to its URL and its log. */
async function serve(handle: () => Response | Promise<Response>) {
  const logged: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
  const yoga = { handleNodeRequestAndResponse: handle, fetchAPI: { Response } };
  server = createServer(gatewayRequestListener(yoga as never, logger));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logged };
}

it('sends what Yoga answers, head and body', async () => {
  const { url } = await serve(() => Response.json({ ok: true }, { headers: { 'x-kept': 'yes' } }));
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('x-kept')).toBe('yes');
  expect(await response.json()).toEqual({ ok: true });
});

it('answers 500 without the error’s text when handling a request throws, and logs it', async () => {
  const { url, logged } = await serve(() => Promise.reject(new Error('internal detail')));
  const response = await fetch(url);
  expect(response.status).toBe(500);
  expect(await response.text()).toBe('');
  expect(logged.join('')).toContain('internal detail');
});
