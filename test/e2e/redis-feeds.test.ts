import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS, startEmulator, type Emulator, type Route } from '../../src/emulator/index.js';
import { ENDPOINT, sendFalRequest } from '../support/feeds.js';
import { killGatewayProcesses, stopGatewayProcess } from '../support/gateway-process.js';
import { startRedisServer, stopRedisServers, type RedisServer } from '../support/redis-server.js';
import {
  eventually,
  leaseHolder,
  replicaEnv,
  startReplicas,
  total,
  type Replica,
} from '../support/replicas.js';
import { sseClient, subscribe, type Received } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH } from '../support/stack.js';

/**
 * Replicas sharing the polled live feeds through a real Redis: several gateway processes, one
 * emulator counting the polls they make. A poll carries the id of the subscription its poller
 * was opened for, so the distinct ids of a route's calls count the pollers.
 */

const LEASE_TTL_MS = 3_000;
const POLL_MS = 200;
const RUNS = 'subscription { workflowRuns { change log { logId workflowRun { status } } } }';
const RUNS_SINCE =
  'subscription ($since: DateTime) { workflowRuns(filter: { since: $since }) { change log { logId workflowRun { status } } } }';
const REQUESTS =
  'subscription ($ids: [String!]!) { falRequests(endpointIds: $ids) { change request { requestId status } } }';

type RunChange = { change: string; log: { logId: string; workflowRun: { status: string } } };
type RequestChange = { change: string; request: { requestId: string; status: string } };

let redis: RedisServer;
let emulator: Emulator;
let replicas: Replica[];
beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ seed: 11, scale: 0.25 });
  replicas = await startReplicas(
    emulator,
    3,
    replicaEnv(redis.url, LEASE_TTL_MS, {
      DIFY_POLL_INTERVAL_MS: String(POLL_MS),
      FAL_REQUESTS_POLL_INTERVAL_MS: String(POLL_MS),
    }),
  );
}, 120_000);
afterAll(async () => {
  await killGatewayProcesses();
  await stopRedisServers();
  await emulator.close();
});

const clients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await eventually(
    async () => (await total(replicas, 'gateway_feed_pollers')) === 0,
    10_000,
    'the pollers to stop',
  );
  emulator.resetCalls();
});

function follow<T>(
  replica: Replica,
  auth: Record<string, string>,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => T,
): Received<T> {
  const client = sseClient(replica.url, 'distinct', auth);
  clients.push(client);
  return subscribe(client, query, variables, pick);
}

const followRuns = (replica: Replica) =>
  follow(replica, DIFY_AUTH, RUNS, {}, (data) => data.workflowRuns as RunChange);
const followRequests = (replica: Replica) =>
  follow(replica, FAL_AUTH, REQUESTS, { ids: [ENDPOINT] }, (data) => {
    return data.falRequests as RequestChange;
  });

/** The pollers behind `route`'s calls: one id per subscription a poller was opened for. */
const pollers = (route: Route) => new Set(emulator.calls({ route }).map((call) => call.requestId));

/** How many pollers read Dify's logs over the next ten poll intervals. */
async function difyPollersFromNow(): Promise<number> {
  emulator.resetCalls();
  await sleep(10 * POLL_MS);
  return pollers('workflows.logs').size;
}

/** Until every replica counts its subscriptions, one replica holds the lease and one poller runs. */
async function shared(subscriptions: number, route: Route) {
  await eventually(
    async () =>
      (await total(replicas, 'gateway_open_subscriptions')) === subscriptions &&
      (await total(replicas, 'gateway_live_leases_held')) === 1 &&
      (await total(replicas, 'gateway_feed_pollers')) === 1,
    20_000,
    `${subscriptions} subscriptions sharing one poller`,
  );
  // The poller's first poll takes note of what is there: what comes after it is news.
  const before = emulator.calls({ route }).length;
  await eventually(() => emulator.calls({ route }).length >= before + 2, 5_000, 'two polls');
}

/** Every feed receives `expected` and nothing more, with no error; returns what they received. */
async function receivedExactly<T>(feeds: readonly Received<T>[], expected: readonly string[]) {
  const seen = (feed: Received<T>) => feed.values.map((value) => JSON.stringify(value));
  for (const feed of feeds) await feed.waitFor(expected.length, 20_000);
  await sleep(3 * POLL_MS);
  for (const feed of feeds) {
    expect(feed.errors).toEqual([]);
    expect(seen(feed)).toEqual(expected);
  }
}

const runChange = (change: string, logId: string, status: string): string =>
  JSON.stringify({ change, log: { logId, workflowRun: { status } } });

/**
 * A run starts every 150 ms and finishes about a second later, until `stop`, which finishes the
 * rest and resolves to every run started.
 */
function runChurn() {
  const started: Array<{ logId: string; runId: string }> = [];
  let stopped = false;
  const churning = (async () => {
    for (let step = 0; !stopped; step += 1) {
      const [row] = emulator.dify.insertRuns('demo', [{ status: 'running', orphaned: false }]);
      started.push({ logId: row!.id, runId: row!.workflow_run!.id });
      const finishing = started[step - 7];
      if (finishing) emulator.dify.finishRun('demo', finishing.runId, 'succeeded');
      await sleep(150);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await churning;
      // A run that finishes before any poll saw it running is rightly delivered as FINISHED
      // alone: the last runs stay running for a few polls first.
      await sleep(5 * POLL_MS);
      for (const { runId } of started.slice(-7))
        emulator.dify.finishRun('demo', runId, 'succeeded');
      return started.map(({ logId }) => logId);
    },
  };
}

/**
 * Waits for every feed to have seen each of `runs` finish; each feed received each run's changes
 * once and in order, and no error. Resolves to each run's changes on each feed.
 */
async function everyRunOnce(feeds: readonly Received<RunChange>[], runs: readonly string[]) {
  await eventually(
    () =>
      feeds.every(
        (feed) => feed.values.filter(({ change }) => change === 'FINISHED').length >= runs.length,
      ),
    20_000,
    'every run to finish on every feed',
  );
  await sleep(3 * POLL_MS);
  return feeds.flatMap((feed) => {
    expect(feed.errors).toEqual([]);
    const byRun = new Map<string, string[]>();
    for (const { change, log } of feed.values) {
      byRun.set(log.logId, [...(byRun.get(log.logId) ?? []), change]);
    }
    expect([...byRun.keys()].sort()).toEqual([...runs].sort());
    return [...byRun.values()];
  });
}

describe('the Dify workflow run feed over three replicas', () => {
  it('polls once for identical feeds on every replica, each subscriber getting each change once, in order', async () => {
    const feeds = replicas.map(followRuns);
    await shared(3, 'workflows.logs');
    emulator.resetCalls();

    const expected: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const rows = emulator.dify.insertRuns('demo', [
        { status: 'running', orphaned: false },
        { status: 'running', orphaned: false },
        { status: 'succeeded' },
      ]);
      const ids = rows.map((row) => row.id);
      const runIds = rows.map((row) => row.workflow_run!.id);
      await feeds[0]!.waitFor(expected.length + 3);
      // One poll saw the three rows: they come in Dify's order, the same for every subscriber.
      expected.push(...feeds[0]!.values.slice(expected.length).map((v) => JSON.stringify(v)));
      expect(expected.slice(-3).sort()).toEqual(
        [
          runChange('STARTED', ids[0]!, 'RUNNING'),
          runChange('STARTED', ids[1]!, 'RUNNING'),
          runChange('FINISHED', ids[2]!, 'SUCCEEDED'),
        ].sort(),
      );
      emulator.dify.setRunStatus('demo', runIds[1]!, 'paused');
      expected.push(runChange('UPDATED', ids[1]!, 'PAUSED'));
      await feeds[0]!.waitFor(expected.length);
      emulator.dify.finishRun('demo', runIds[0]!, 'failed');
      emulator.dify.finishRun('demo', runIds[1]!, 'stopped');
      await feeds[0]!.waitFor(expected.length + 2);
      expected.push(...feeds[0]!.values.slice(expected.length).map((v) => JSON.stringify(v)));
      expect(expected.slice(-2).sort()).toEqual(
        [
          runChange('FINISHED', ids[0]!, 'FAILED'),
          runChange('FINISHED', ids[1]!, 'STOPPED'),
        ].sort(),
      );
    }
    await receivedExactly(feeds, expected);
    expect(pollers('workflows.logs').size).toBe(1);
    // The batches (changes and poll states) carry no credential into Redis.
    const stored = await redis.contents();
    for (const text of [...stored.keys, ...stored.values]) {
      expect(text).not.toContain(DEMO_KEYS.dify);
    }
  }, 60_000);

  it('falls back to a poller per replica while Redis is down and shares one again once it is back, losing and repeating nothing', async () => {
    const feeds = replicas.map(followRuns);
    await shared(3, 'workflows.logs');
    const churn = runChurn();
    await sleep(1_500);

    await redis.stop('SIGKILL');
    await eventually(
      async () => (await total(replicas, 'gateway_feed_pollers')) === 3,
      15_000,
      'a poller on each replica',
    );
    await sleep(1_500);
    await redis.start();
    await eventually(
      async () =>
        (await total(replicas, 'gateway_feed_pollers')) === 1 &&
        (await total(replicas, 'gateway_live_leases_held')) === 1,
      20_000,
      'one poller again',
    );
    await sleep(1_500);
    const started = await churn.stop();

    // Each replica followed every run on its own: every subscriber saw each start and end.
    for (const changes of await everyRunOnce(feeds, started)) {
      expect(changes).toEqual(['STARTED', 'FINISHED']);
    }
    expect(await difyPollersFromNow()).toBe(1);
  }, 90_000);

  it('hands a replay from since over to the shared poller once it has caught up, each run of its window once', async () => {
    const feeds = replicas.slice(0, 2).map(followRuns);
    await shared(2, 'workflows.logs');
    const churn = runChurn();
    await sleep(1_000);
    // Dify stamps rows in whole seconds: the replay's window starts at the next one.
    const since = Math.ceil(Date.now() / 1000);
    await sleep(since * 1000 - Date.now() + 500);
    const replay = follow(
      replicas[2]!,
      DIFY_AUTH,
      RUNS_SINCE,
      { since: new Date(since * 1000).toISOString() },
      (data) => data.workflowRuns as RunChange,
    );
    await replay.waitFor(1, 10_000);
    await eventually(
      async () => (await total(replicas, 'gateway_feed_pollers')) === 1,
      20_000,
      'the replay to leave its own poller',
    );
    await sleep(1_000);
    const started = await churn.stop();

    const created = new Map(emulator.dify.logs('demo').map((row) => [row.id, row.created_at]));
    const fromSince = started.filter((logId) => created.get(logId)! >= since);
    expect(fromSince.length).toBeLessThan(started.length);
    for (const changes of await everyRunOnce([replay], fromSince)) {
      expect(changes).toEqual(['STARTED', 'FINISHED']);
    }
    for (const changes of await everyRunOnce(feeds, started)) {
      expect(changes).toEqual(['STARTED', 'FINISHED']);
    }
    expect(await difyPollersFromNow()).toBe(1);
  }, 60_000);

  it('goes on from the last batch when the poller’s replica is killed: no gap, no repeat, one poller again', async () => {
    const feeds = replicas.map(followRuns);
    await shared(3, 'workflows.logs');
    const holder = await leaseHolder(replicas);
    const survivors = replicas.filter((replica) => replica !== holder);
    const survivorFeeds = feeds.filter((_, i) => replicas[i] !== holder);
    const churn = runChurn();
    await sleep(1_500);

    const takeoversBefore = await total(survivors, 'gateway_live_takeovers_total');
    await stopGatewayProcess(holder.process, 'SIGKILL');
    replicas = survivors;
    await eventually(
      async () => (await total(survivors, 'gateway_live_leases_held')) === 1,
      LEASE_TTL_MS * 3,
      'a survivor to take the poller',
    );
    await sleep(1_500);
    const started = await churn.stop();

    const byRun = await everyRunOnce(survivorFeeds, started);
    // Runs that started and ended while no poller ran (the lease lapsing) are first seen ended;
    // those followed across the handover kept being followed: most started and finished.
    for (const changes of byRun)
      expect([['STARTED', 'FINISHED'], ['FINISHED']]).toContainEqual(changes);
    expect(byRun.filter((changes) => changes.length === 2).length).toBeGreaterThan(
      started.length / 2,
    );
    expect(await total(survivors, 'gateway_live_takeovers_total')).toBe(takeoversBefore + 1);

    expect(await difyPollersFromNow()).toBe(1);
    expect(await total(survivors, 'gateway_feed_pollers')).toBe(1);
  }, 60_000);
});

describe('the fal request feed over replicas', () => {
  it('polls once for identical feeds on every replica, each subscriber getting each change once, in order', async () => {
    const feeds = replicas.map(followRequests);
    await shared(replicas.length, 'requests.byEndpoint');
    emulator.resetCalls();

    const expected: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const request = sendFalRequest({ emulator });
      expected.push(
        JSON.stringify({
          change: 'STARTED',
          request: { requestId: request.requestId, status: 'PENDING' },
        }),
      );
      await feeds[0]!.waitFor(expected.length);
      request.finish(200);
      expected.push(
        JSON.stringify({
          change: 'FINISHED',
          request: { requestId: request.requestId, status: 'SUCCESS' },
        }),
      );
      await feeds[0]!.waitFor(expected.length);
    }
    await receivedExactly(feeds, expected);
    expect(pollers('requests.byEndpoint').size).toBe(1);
  }, 60_000);
});
