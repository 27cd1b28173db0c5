import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAL_BACKENDS, startStack, type Stack } from '../support/stack.js';
import {
  finishedRequest,
  seedSameInstant,
  storedTimeline,
  walkTimeline,
} from '../support/timeline.js';

const HOUR = 3_600_000;
const ENDPOINTS = ['acme/flux-studio', 'acme/whisper-live'];
const INCLUDED = { falLogs: true, falRequests: ENDPOINTS, workflowRuns: true };

describe.each(FAL_BACKENDS)('Query.timeline over the $api fal backend', (backend) => {
  let stack: Stack;
  let window: { since: string; until: string };
  const filter = (bounds: { since: string; until: string }) => ({
    ...bounds,
    falLogs: {},
    falRequests: { endpointIds: ENDPOINTS },
    workflowRuns: {},
  });

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
    // An hour of the generated history, with one instant where all three sources meet, each
    // with more events than one upstream page holds (100 requests, 100 Dify rows).
    const until = Math.floor(Date.now() / 1000) * 1000 - 2 * HOUR;
    window = { since: new Date(until - HOUR).toISOString(), until: new Date(until).toISOString() };
    seedSameInstant(
      stack,
      until - HOUR / 2,
      { lines: 40, requests: 105, runs: 120 },
      'acme/flux-studio',
    );
    // Same-instant events of two sources at the window's edges.
    seedSameInstant(stack, until - HOUR, { lines: 3, requests: 2, runs: 2 }, 'acme/flux-studio');
    seedSameInstant(stack, until - 1000, { lines: 2, requests: 3, runs: 2 }, 'acme/flux-studio');
  });
  afterAll(() => stack.close());

  it.each([7, 50, 500])(
    'yields every event of every source exactly once, newest first, with first=%i',
    async (first) => {
      const expected = await storedTimeline(stack, window, INCLUDED);
      const { events, pages } = await walkTimeline(stack, filter(window), first);
      expect(events).toEqual(expected);
      expect(pages.length).toBe(Math.ceil(expected.length / first));
      const walked = (source: string) => events.filter((event) => event.startsWith(source)).length;
      expect(walked('FAL_LOGS|')).toBeGreaterThan(100);
      expect(walked('FAL_REQUESTS|')).toBeGreaterThan(110);
      expect(walked('DIFY_WORKFLOWS|')).toBeGreaterThan(120);
    },
  );

  it.each([1, 2])(
    'yields every event exactly once with first=%i across same-instant events of every source',
    async (first) => {
      const narrow = {
        since: new Date(Date.parse(window.until) - 5 * 60_000).toISOString(),
        until: window.until,
      };
      const expected = await storedTimeline(stack, narrow, INCLUDED);
      expect(expected.length).toBeGreaterThan(10);
      const { events } = await walkTimeline(stack, filter(narrow), first);
      expect(events).toEqual(expected);
    },
  );

  it('walks Dify rows of a status the gateway filters itself exactly once, pages short while it reads on', async () => {
    // An hour before the main window: more finished runs than a page's reads refuse (11 reads
    // of 100) above a few running ones.
    const until = Date.parse(window.since);
    const earlier = { since: new Date(until - HOUR).toISOString(), until: window.since };
    const running = (at: number, count: number) =>
      stack.emulator.dify.insertRuns(
        'demo',
        Array.from({ length: count }, () => ({
          created_at: at / 1000,
          status: 'running' as const,
        })),
      );
    stack.emulator.dify.insertRuns(
      'demo',
      Array.from({ length: 1_200 }, (_, i) => ({
        created_at: (until - 10 * 60_000) / 1000 - (i % 600),
        status: 'succeeded' as const,
      })),
    );
    running(until - 20 * 60_000, 3);
    running(until - 50 * 60_000, 2);
    const expected = await storedTimeline(stack, earlier, {
      falRequests: ENDPOINTS,
      workflowRuns: { status: 'running' },
    });
    expect(
      expected.filter((event) => event.startsWith('DIFY_WORKFLOWS|')).length,
    ).toBeGreaterThanOrEqual(5);

    const { events, pages } = await walkTimeline(
      stack,
      { ...earlier, falRequests: { endpointIds: ENDPOINTS }, workflowRuns: { status: 'RUNNING' } },
      5,
      { shortPages: true },
    );
    expect(events).toEqual(expected);
    expect(pages.some((page) => page.edges.length < 5 && page.pageInfo.hasNextPage)).toBe(true);
  });

  it('neither repeats nor admits events that arrive while walking the default window', async () => {
    const now = Date.now();
    const since = new Date(now - 20 * 60_000).toISOString();
    seedSameInstant(
      stack,
      Math.floor(now / 1000) * 1000 - 10 * 60_000,
      { lines: 5, requests: 4, runs: 3 },
      'acme/flux-studio',
    );
    const pending = stack.emulator.fal.requests('demo').filter((row) => row.ended_at === null);
    expect(pending.length).toBeGreaterThan(0);
    const expected = await storedTimeline(
      stack,
      { since, until: new Date().toISOString() },
      INCLUDED,
    );
    const template = stack.emulator.fal.requests('demo').find((row) => row.ended_at !== null)!;

    const { events } = await walkTimeline(
      stack,
      { since, falLogs: {}, falRequests: { endpointIds: ENDPOINTS }, workflowRuns: {} },
      13,
      {
        betweenPages: (page) => {
          const arrived = Date.now();
          stack.emulator.fal.appendLines('demo', [{ message: `arrived during page ${page}` }]);
          // Pending requests finish, and new ones are sent and finish.
          const finishing = pending[page - 1];
          if (finishing)
            stack.emulator.fal.upsertRequest('demo', {
              ...finishing,
              ended_at: new Date(arrived).toISOString(),
              status_code: 200,
              duration: 1,
            });
          stack.emulator.fal.upsertRequest(
            'demo',
            finishedRequest({ ...template, endpoint_id: 'acme/flux-studio' }, arrived + 1_000, 500),
          );
          stack.emulator.dify.insertRuns('demo', [{ created_at: Math.floor(arrived / 1000) + 2 }]);
        },
      },
    );
    expect(events).toEqual(expected);
  });
});
