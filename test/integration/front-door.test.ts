import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('what someone opening the gateway finds', () => {
  it('GET / says in one line where the API is', async () => {
    const response = await request(`${stack.url}/`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = await response.body.text();
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('/graphql');
    expect(text).toContain('GraphiQL');
  });

  it('GraphiQL fetches nothing from the internet, its icon included', async () => {
    const response = await request(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.body.text();
    const references = [...html.matchAll(/\b(?:href|src)="?([^"\s>]+)/g)].map(([, url]) => url!);
    expect(references.length).toBeGreaterThan(2);
    for (const url of references) expect(url).toMatch(/^(\/|data:)/);
    expect(references.some((url) => url.startsWith('data:image/svg+xml'))).toBe(true);
  });
});
