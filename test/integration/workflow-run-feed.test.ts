import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createGateway } from '../../src/server.js';
import { FEED_ENV, metric, nextPolls, pollsStopped } from '../support/feeds.js';
import { sseClient, subscribe, until, type Received } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const FEED = `subscription ($filter: WorkflowLogFilter) {
  workflowRuns(filter: $filter) {
    change
    log { logId createdAt workflowRun { runId status finishedAt } }
  }
}`;

interface RunEvent {
  change: string;
  log: {
    logId: string;
    createdAt: string;
    workflowRun: { runId: string; status: string; finishedAt: string | null } | null;
  };
}
const pickEvent = (data: Record<string, unknown>) => data.workflowRuns as RunEvent;
const summary = (events: readonly RunEvent[]) =>
  events.map(({ change, log }) => `${log.logId}:${change}:${log.workflowRun?.status}`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: FEED_ENV });
});
afterAll(() => stack.close());
const openClients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const open of openClients.splice(0)) open.dispose();
  stack.emulator.clearFaults();
  await pollsStopped(stack, 'workflows.logs');
  stack.emulator.resetCalls();
});

/** A subscription to the feed, once its first poll (which only takes note) is done. */
async function follow(variables: Record<string, unknown> = {}, target = stack) {
  const client = sseClient(target.url, 'distinct', DIFY_AUTH);
  openClients.push(client);
  const feed = subscribe(client, FEED, variables, pickEvent);
  await nextPolls(target, 'workflows.logs');
  return feed;
}

/** Waits a few polls more and checks that nothing else arrived. */
async function settled<T>(feed: Received<T>, count: number): Promise<T[]> {
  await feed.waitFor(count);
  await nextPolls(stack, 'workflows.logs', 3);
  expect(feed.values).toHaveLength(count);
  expect(feed.errors).toEqual([]);
  return feed.values;
}

const insertRunning = (target = stack) =>
  target.emulator.dify.insertRuns('demo', [{ status: 'running', orphaned: false }])[0]!;

describe('Subscription.workflowRuns', () => {
  it('delivers a run once per status: running, paused, running again, succeeded', async () => {
    const feed = await follow();
    const row = insertRunning();
    const runId = row.workflow_run!.id;
    await feed.waitFor(1);
    for (const [status, count] of [
      ['paused', 2],
      ['running', 3],
      ['succeeded', 4],
    ] as const) {
      stack.emulator.dify.setRunStatus('demo', runId, status);
      await feed.waitFor(count);
    }
    const events = await settled(feed, 4);
    expect(summary(events)).toEqual([
      `${row.id}:STARTED:RUNNING`,
      `${row.id}:UPDATED:PAUSED`,
      `${row.id}:UPDATED:RUNNING`,
      `${row.id}:FINISHED:SUCCEEDED`,
    ]);
    expect(events[3]!.log.workflowRun?.finishedAt).not.toBeNull();
    expect(events[0]!.log.createdAt).toBe(new Date(row.created_at * 1000).toISOString());
  });

  it('delivers every run of a burst of more than a page between two polls, once', async () => {
    const feed = await follow();
    // All in the current second, as a burst is: the feed pages on within it, by offset.
    const rows = stack.emulator.dify.insertRuns('demo', [
      ...Array.from({ length: 60 }, () => ({ status: 'failed' as const })),
      ...Array.from({ length: 150 }, () => ({ orphaned: false })),
    ]);
    const delivered = rows.filter((row) => row.workflow_run);
    const events = await settled(feed, delivered.length);
    expect(events.map((event) => event.log.logId).sort()).toEqual(
      delivered.map((row) => row.id).sort(),
    );
    expect(new Set(events.map((event) => event.change))).toEqual(new Set(['FINISHED']));
  });

  it('loses and repeats nothing across upstream 500s, 429s and a hang', async () => {
    const feed = await follow();
    const expected: string[] = [];
    const faults = [
      { status: 500, times: 2 },
      { status: 429, times: 2, retryAfterSeconds: 0 },
      { hang: true, times: 1 },
    ];
    for (const fault of faults) {
      stack.emulator.setFault('workflows.logs', fault);
      const row = insertRunning();
      stack.emulator.dify.finishRun('demo', row.workflow_run!.id, 'failed');
      expected.push(`${row.id}:FINISHED:FAILED`);
      await feed.waitFor(expected.length, 5_000);
    }
    expect(summary(await settled(feed, expected.length))).toEqual(expected);
    const failed = stack.emulator
      .calls({ route: 'workflows.logs' })
      .filter((c) => c.status !== 200);
    expect(failed.length).toBeGreaterThanOrEqual(4);
    expect(
      await metric(stack, 'gateway_feed_polls_total{source="dify",outcome="failed"}'),
    ).toBeGreaterThanOrEqual(5);
  });

  it('reads a running run that scrolled off the first page by id until it finishes', async () => {
    const feed = await follow();
    const row = insertRunning();
    await feed.waitFor(1);
    // A second later, as Dify would date them: rows dated ahead of the clock would raise the
    // feed's mark above the runs the next tests insert, which then never arrive.
    await until(() => Math.floor(Date.now() / 1000) > row.created_at, 2_000);
    stack.emulator.dify.insertRuns(
      'demo',
      Array.from({ length: 101 }, () => ({ orphaned: true })),
    );
    await nextPolls(stack, 'workflows.logs', 3);
    stack.emulator.resetCalls();
    stack.emulator.dify.finishRun('demo', row.workflow_run!.id, 'stopped');
    await feed.waitFor(2);
    expect(summary(feed.values)).toEqual([
      `${row.id}:STARTED:RUNNING`,
      `${row.id}:FINISHED:STOPPED`,
    ]);
    expect(stack.emulator.calls({ route: 'workflows.run' }).length).toBeGreaterThan(0);
  });

  it('replays the runs from since, oldest first, then goes on live without a gap or a repeat', async () => {
    const stored = stack.emulator.dify.logs('demo').filter((row) => row.workflow_run);
    const since = stored[40]!.created_at;
    const replay = stored.filter((row) => row.created_at >= since);
    const client = sseClient(stack.url, 'single', DIFY_AUTH);
    openClients.push(client);
    const feed = subscribe(
      client,
      FEED,
      { filter: { since: new Date(since * 1000).toISOString() } },
      pickEvent,
    );
    await feed.waitFor(replay.length);
    const live = insertRunning();
    await feed.waitFor(replay.length + 1);
    const ids = feed.values.map((event) => event.log.logId);
    expect(ids.slice(0, replay.length).sort()).toEqual(replay.map((row) => row.id).sort());
    expect(ids.at(-1)).toBe(live.id);
    const created = feed.values.map((event) => Date.parse(event.log.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(feed.values.length).toBe(new Set(ids).size);
  });

  it('hands a replay from since over to the shared poller once it has caught up, every change once', async () => {
    const pollers = () => metric(stack, 'gateway_feed_pollers{source="dify"}');
    const live = await follow();
    const [running, finished] = stack.emulator.dify.insertRuns('demo', [
      { status: 'running', orphaned: false },
      { status: 'succeeded', orphaned: false },
    ]);
    await live.waitFor(2);
    const client = sseClient(stack.url, 'distinct', DIFY_AUTH);
    openClients.push(client);
    const since = new Date(running!.created_at * 1000).toISOString();
    const replay = subscribe(client, FEED, { filter: { since } }, pickEvent);
    await until(() =>
      [running, finished].every((row) =>
        replay.values.some((event) => event.log.logId === row!.id),
      ),
    );
    const replayed = replay.values.length;
    // It follows the run it replayed running, on a poller of its own until that run changes.
    expect(await pollers()).toBe(2);

    stack.emulator.dify.finishRun('demo', running!.workflow_run!.id, 'failed');
    await replay.waitFor(replayed + 1);
    await until(async () => (await pollers()) === 1);
    const later = insertRunning();
    await replay.waitFor(replayed + 2);
    stack.emulator.dify.finishRun('demo', later.workflow_run!.id, 'succeeded');
    await replay.waitFor(replayed + 3);
    await nextPolls(stack, 'workflows.logs', 3);

    const after = [
      `${running!.id}:FINISHED:FAILED`,
      `${later.id}:STARTED:RUNNING`,
      `${later.id}:FINISHED:SUCCEEDED`,
    ];
    expect(summary(replay.values.slice(0, replayed))).toEqual(
      expect.arrayContaining([
        `${running!.id}:STARTED:RUNNING`,
        `${finished!.id}:FINISHED:SUCCEEDED`,
      ]),
    );
    expect(summary(replay.values.slice(replayed))).toEqual(after);
    expect(summary(live.values).slice(-3)).toEqual(after);
    expect(replay.errors).toEqual([]);
    expect(await pollers()).toBe(1);
    expect(await metric(stack, 'gateway_open_subscriptions')).toBe(2);
  });

  it('delivers only the changes into filter.status', async () => {
    const feed = await follow({ filter: { status: 'SUCCEEDED' } });
    const [kept, dropped] = [insertRunning(), insertRunning()];
    await nextPolls(stack, 'workflows.logs');
    stack.emulator.dify.finishRun('demo', dropped.workflow_run!.id, 'failed');
    stack.emulator.dify.finishRun('demo', kept.workflow_run!.id, 'succeeded');
    expect(summary(await settled(feed, 1))).toEqual([`${kept.id}:FINISHED:SUCCEEDED`]);
  });

  it('shares one poller between identical feeds, and stops it soon after the last one leaves', async () => {
    const clients = [
      sseClient(stack.url, 'distinct', DIFY_AUTH),
      sseClient(stack.url, 'single', DIFY_AUTH),
      sseClient(stack.url, 'distinct', DIFY_AUTH),
    ];
    openClients.push(...clients);
    const feeds = clients.map((client) => subscribe(client, FEED, {}, pickEvent));
    await until(async () => (await metric(stack, 'gateway_open_subscriptions')) === 3);
    await nextPolls(stack, 'workflows.logs');
    const row = insertRunning();
    for (const feed of feeds) await feed.waitFor(1);
    for (const feed of feeds) expect(summary(feed.values)).toEqual([`${row.id}:STARTED:RUNNING`]);
    expect(await metric(stack, 'gateway_feed_pollers{source="dify"}')).toBe(1);
    const callers = stack.emulator.calls({ route: 'workflows.logs' }).map((c) => c.requestId);
    expect(new Set(callers).size).toBe(1);

    const other = subscribe(clients[0]!, FEED, { filter: { keyword: 'x' } }, pickEvent);
    await until(async () => (await metric(stack, 'gateway_feed_pollers{source="dify"}')) === 2);
    other.dispose();
    for (const client of clients) client.dispose();
    const left = Date.now();
    await until(
      async () => (await metric(stack, 'gateway_feed_pollers{source="dify"}')) === 0,
      2_000,
    );
    expect(Date.now() - left).toBeLessThan(1_000);
    const calls = stack.emulator.calls({ route: 'workflows.logs' }).length;
    await new Promise((resolve) => setTimeout(resolve, 4 * 50));
    expect(stack.emulator.calls({ route: 'workflows.logs' })).toHaveLength(calls);
  });

  it('ends with a contract error after TAIL_RECONNECT_ATTEMPTS failed polls in a row', async () => {
    const feed = await follow();
    stack.emulator.resetCalls();
    stack.emulator.setFault('workflows.logs', { status: 500 });
    await feed.ended;
    expect(feed.errors).toMatchObject([{ extensions: { code: 'UPSTREAM_ERROR', source: 'dify' } }]);
    expect(stack.emulator.calls({ route: 'workflows.logs' })).toHaveLength(4);
  });

  it('refuses bad input and a missing Dify key before any upstream call', async () => {
    for (const [headers, variables, code, field] of [
      [FAL_AUTH, {}, 'UNAUTHENTICATED', undefined],
      [DIFY_AUTH, { filter: { until: '2025-01-01' } }, 'BAD_USER_INPUT', 'filter.until'],
      [DIFY_AUTH, { filter: { keyword: ' ' } }, 'BAD_USER_INPUT', undefined],
    ] as const) {
      const client = sseClient(stack.url, 'single', headers);
      openClients.push(client);
      const feed = subscribe(client, FEED, variables, pickEvent);
      await feed.ended;
      expect(feed.values).toEqual([]);
      expect(feed.errors).toMatchObject([{ extensions: { code } }]);
      if (field) expect((feed.errors[0] as { message: string }).message).toMatch(`${field}:`);
    }
    expect(stack.emulator.calls({ route: 'workflows.logs' })).toEqual([]);
  });

  it('names filter.accountEmail when it matches no member of the workspace', async () => {
    const client = sseClient(stack.url, 'distinct', DIFY_AUTH);
    openClients.push(client);
    const feed = subscribe(
      client,
      FEED,
      { filter: { accountEmail: 'nobody@example.com' } },
      pickEvent,
    );
    await feed.ended;
    expect(feed.errors).toMatchObject([
      {
        message: expect.stringMatching(/^filter\.accountEmail: /) as string,
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(stack.emulator.calls({ route: 'workflows.logs' })).toHaveLength(1);
  });
});

describe('a workflow run feed across upstream restarts and gateway shutdown', () => {
  it('goes on after Dify restarts, delivering the new runs once and nothing twice', async () => {
    const anchor = Date.now();
    let dify: Emulator = await startEmulator({ seed: 7, scale: 0.25, anchor });
    const port = Number(new URL(dify.difyUrl).port);
    const gateway = createGateway(
      loadConfig({
        ...FEED_ENV,
        TAIL_RECONNECT_ATTEMPTS: '50',
        FAL_API_URL: dify.falUrl,
        DIFY_API_URL: dify.difyUrl,
        LOG_LEVEL: 'silent',
      }),
    );
    const url = await gateway.listen(0, '127.0.0.1');
    const client = sseClient(url, 'distinct', DIFY_AUTH);
    try {
      const feed = subscribe(client, FEED, {}, pickEvent);
      await until(() => dify.calls({ route: 'workflows.logs' }).length >= 2);
      const before = dify.dify.insertRuns('demo', [{ status: 'running', orphaned: false }])[0]!;
      await feed.waitFor(1);
      await dify.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      dify = await startEmulator({ seed: 7, scale: 0.25, anchor, difyPort: port });
      await until(() => dify.calls({ route: 'workflows.logs' }).length >= 2, 5_000);
      const after = dify.dify.insertRuns('demo', [{ status: 'running', orphaned: false }])[0]!;
      await feed.waitFor(2);
      dify.dify.finishRun('demo', after.workflow_run!.id, 'succeeded');
      await feed.waitFor(3);
      await until(() => dify.calls({ route: 'workflows.logs' }).length >= 6);
      expect(summary(feed.values)).toEqual([
        `${before.id}:STARTED:RUNNING`,
        `${after.id}:STARTED:RUNNING`,
        `${after.id}:FINISHED:SUCCEEDED`,
      ]);
      expect(feed.errors).toEqual([]);
    } finally {
      client.dispose();
      await gateway.close();
      await dify.close();
    }
  });

  it('completes open feeds, a replay from since among them, when the gateway shuts down', async () => {
    const own = await startStack({ env: FEED_ENV });
    const client = sseClient(own.url, 'distinct', DIFY_AUTH);
    try {
      const feed = subscribe(client, FEED, {}, pickEvent);
      // Polling on its own until a run changes, which none does here.
      const since = new Date(Date.now() - 60_000).toISOString();
      const replay = subscribe(client, FEED, { filter: { since } }, pickEvent);
      await until(() => own.emulator.calls({ route: 'workflows.logs' }).length >= 2);
      await own.gateway.close();
      for (const ended of [feed, replay]) {
        await ended.ended;
        expect(ended.completed).toBe(true);
        expect(ended.errors).toEqual([]);
      }
    } finally {
      client.dispose();
      await own.emulator.close();
    }
  });
});

it('never logs the Dify key, also when polls fail and retry', async () => {
  let log = '';
  const own = await startStack({
    env: { ...FEED_ENV, LOG_LEVEL: 'debug' },
    gateway: { logger: pino({ level: 'debug' }, { write: (line: string) => void (log += line) }) },
  });
  const client = sseClient(own.url, 'distinct', DIFY_AUTH);
  try {
    own.emulator.setFault('workflows.logs', { status: 500, times: 2 });
    const feed = subscribe(client, FEED, {}, pickEvent);
    await until(() => own.emulator.calls({ route: 'workflows.logs' }).length >= 4);
    expect(feed.errors).toEqual([]);
    expect(log).toContain('feed poll failed; retrying');
    expect(log).not.toContain(DEMO_KEYS.dify);
  } finally {
    client.dispose();
    await own.close();
  }
});
