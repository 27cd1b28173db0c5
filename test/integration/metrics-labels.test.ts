import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

const MAX_OPERATION_NAMES = 100;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { METRICS_MAX_OPERATION_NAMES: String(MAX_OPERATION_NAMES) } });
});
afterAll(() => stack.close());

async function scrape() {
  const response = await request(`${stack.url}/metrics`);
  return { status: response.statusCode, text: await response.body.text() };
}

const labelValues = (text: string, label: string) =>
  new Set([...text.matchAll(new RegExp(`[{,]${label}="([^"]*)"`, 'g'))].map((match) => match[1]));

async function inBatches(count: number, send: (index: number) => Promise<unknown>) {
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, i) => send(start + i));
    await Promise.all(batch);
  }
}

async function postNamed(name: string, operationName: string = name) {
  const response = await request(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query ${name} { __typename }`, operationName }),
  });
  await response.body.dump();
}

describe('GraphQL metric labels', () => {
  it('show a short, well-formed operation name', async () => {
    await postNamed('FalLogsPage');
    const { text } = await scrape();
    expect(text).toMatch(/graphql_envelop_phase_execute_count\{[^}]*operationName="FalLogsPage"/);
    expect(text).toMatch(/graphql_yoga_http_duration_count\{[^}]*operationName="FalLogsPage"/);
  });

  it('stay bounded in number and size whatever names and URLs anonymous clients send', async () => {
    // 2,000 distinct names in all, half of them over GET with 1,000 distinct 7 KB URLs.
    await inBatches(1_000, (i) => postNamed(`Op${i}`));
    // Names too long to be a label, sent as the document's name and as a name it lacks.
    await inBatches(20, (i) => postNamed(`Long${i}${'x'.repeat(200_000)}`));
    await inBatches(20, (i) => postNamed('Short', `Long${i}${'y'.repeat(200_000)}`));
    await inBatches(1_000, async (i) => {
      const query = new URLSearchParams({
        query: `query Get${i} { __typename }`,
        padding: randomBytes(3_500).toString('hex'),
      });
      const response = await request(`${stack.url}/graphql?${query}`, {
        headers: { 'x-graphql-yoga-csrf': '1' },
      });
      await response.body.dump();
    });

    const { status, text } = await scrape();
    expect(status).toBe(200);
    expect(text.length).toBeLessThan(2 * 1024 * 1024);
    const names = labelValues(text, 'operationName');
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 2);
    expect(names).toContain('FalLogsPage');
    expect(names).toContain('_other');
    const longest = Math.max(...[...text.matchAll(/="([^"]*)"/g)].map((match) => match[1]!.length));
    expect(longest).toBeLessThanOrEqual(64);
    expect(labelValues(text, 'url').size).toBe(0);
  }, 120_000);
});
