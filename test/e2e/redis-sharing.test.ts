import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_KEYS,
  startEmulator,
  type Emulator,
  type FalLogLine,
} from '../../src/emulator/index.js';
import { killGatewayProcesses, stopGatewayProcess } from '../support/gateway-process.js';
import { startRedisServer, stopRedisServers, type RedisServer } from '../support/redis-server.js';
import {
  eventually,
  leaseHolder,
  replicaEnv as sharingEnv,
  startReplicas as startGateways,
  total,
  type Replica,
} from '../support/replicas.js';
import { sseClient, subscribe, type Received } from '../support/sse-client.js';
import { FAL_AUTH } from '../support/stack.js';

/**
 * Replicas sharing live tails through a real Redis: several gateway processes behind no load
 * balancer (each test picks the replica each client talks to), one emulator counting the
 * upstream streams and polls they make.
 */

const TAIL = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { timestamp message } }`;
const FAL_OTHER_AUTH = { authorization: `Key ${DEMO_KEYS.falOther}` };
const LEASE_TTL_MS = 3_000;

let redis: RedisServer;
let emulator: Emulator;
beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ seed: 7, scale: 0.25 });
});
afterAll(async () => {
  await killGatewayProcesses();
  await stopRedisServers();
  await emulator.close();
});

const replicaEnv = (extra: Record<string, string> = {}) =>
  sharingEnv(redis.url, LEASE_TTL_MS, extra);

const startReplicas = (count: number, env: Record<string, string>) =>
  startGateways(emulator, count, env);

const clients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await eventually(() => emulator.openStreams() === 0, 10_000, 'the upstream streams to close');
  emulator.resetCalls();
});

type Line = { timestamp: string; message: string };

function tail(
  replica: Replica,
  auth: Record<string, string> = FAL_AUTH,
  filter?: unknown,
): Received<Line> {
  const client = sseClient(replica.url, 'distinct', auth);
  clients.push(client);
  return subscribe(client, TAIL, { filter }, (data) => data.falLogs as Line);
}

/** `count` lines of `tenant`, stamped in the last few milliseconds, as an app logs them. */
async function appendLive(tenant: string, count: number, label: string): Promise<FalLogLine[]> {
  await sleep(count + 2);
  const base = Date.now() - count;
  return emulator.fal.appendLines(
    tenant,
    Array.from({ length: count }, (_, i) => ({
      timestamp: new Date(base + i).toISOString(),
      message: `${label} #${i}`,
    })),
  );
}

/** Appends a few lines every 60 ms until stopped; resolves to every line appended. */
function keepAppending(label: string) {
  let stopped = false;
  const sent: FalLogLine[] = [];
  const done = (async () => {
    for (let batch = 0; !stopped; batch += 1) {
      sent.push(...(await appendLive('demo', 3, `${label} ${batch}`)));
      await sleep(60);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return sent;
    },
  };
}

const messages = (lines: readonly { message: string }[]) => lines.map((line) => line.message);

/** Each tail received exactly `sent`, in order, and no error. */
async function expectEveryLineOnce(tails: readonly Received<Line>[], sent: readonly FalLogLine[]) {
  for (const each of tails) await each.waitFor(sent.length, 20_000);
  await sleep(300);
  for (const each of tails) {
    expect(each.errors).toEqual([]);
    expect(messages(each.values)).toEqual(messages(sent));
  }
}

/** Until every replica counts its subscriptions, one upstream stream is open, and one lease held. */
async function sharing(replicas: readonly Replica[], subscriptions: number, streams = 1) {
  await eventually(
    async () =>
      emulator.openStreams() === streams &&
      (await total(replicas, 'gateway_open_subscriptions')) === subscriptions &&
      (await total(replicas, 'gateway_live_leases_held')) === streams,
    20_000,
    `${subscriptions} subscriptions sharing ${streams} upstream stream(s)`,
  );
}

describe('live fal tails over three replicas', () => {
  let replicas: Replica[];
  beforeAll(async () => {
    replicas = await startReplicas(3, replicaEnv());
  }, 120_000);

  it('shares one upstream stream among identical tails, every client getting every line once, in order', async () => {
    const tails = replicas.map((replica) => tail(replica));
    await sharing(replicas, 3);
    let streams = 1;
    const sampling = setInterval(() => (streams = Math.max(streams, emulator.openStreams())), 20);
    const sent: FalLogLine[] = [];
    for (let batch = 0; batch < 5; batch += 1) {
      sent.push(...(await appendLive('demo', 10, `shared ${batch}`)));
      await sleep(50);
    }
    await expectEveryLineOnce(tails, sent);
    clearInterval(sampling);
    expect(streams).toBe(1);
    expect(emulator.calls({ route: 'logs.stream' })).toHaveLength(1);

    for (const client of clients.splice(0)) client.dispose();
    await eventually(() => emulator.openStreams() === 0, 5_000, 'the stream to close');
  });

  it('hands a replay from since over to the topic’s shared stream once it caught up, every line once', async () => {
    const live = replicas.map((replica) => tail(replica));
    await sharing(replicas, 3);
    const before = await appendLive('demo', 5, 'before the replay');
    const replay = tail(replicas[1]!, FAL_AUTH, { since: before[0]!.timestamp });
    await replay.waitFor(before.length);
    const appending = keepAppending('after the replay');
    await eventually(
      () => emulator.openStreams() === 1,
      10_000,
      'the replay to give up its stream',
    );
    const sent = [...before, ...(await appending.stop())];
    await expectEveryLineOnce([...live, replay], sent);
    expect(emulator.calls({ route: 'logs.stream' })).toHaveLength(2);
  });

  it('never shares a topic between two credentials, and puts no credential or filter text in Redis', async () => {
    const filter = {
      labels: [{ key: 'filter_key_q7', values: ['filter-value-w3'], op: 'NOT_EQUALS' }],
    };
    const demo = [tail(replicas[0]!, FAL_AUTH, filter), tail(replicas[1]!, FAL_AUTH, filter)];
    const other = [
      tail(replicas[1]!, FAL_OTHER_AUTH, filter),
      tail(replicas[2]!, FAL_OTHER_AUTH, filter),
    ];
    const keysBefore = new Set((await redis.contents()).keys);
    await sharing(replicas, 4, 2);
    const sentToDemo = await appendLive('demo', 5, 'to demo');
    const sentToOther = await appendLive('other', 5, 'to other');
    await expectEveryLineOnce(demo, sentToDemo);
    await expectEveryLineOnce(other, sentToOther);
    const keys = emulator.calls({ route: 'logs.stream' }).map((call) => call.authorization);
    expect(keys.sort()).toEqual([FAL_AUTH.authorization, FAL_OTHER_AUTH.authorization].sort());

    const stored = await redis.contents();
    const topics = stored.keys.filter((key) => key.endsWith(':events') && !keysBefore.has(key));
    expect(topics).toHaveLength(2);
    const secrets = [
      ...Object.values(DEMO_KEYS).flatMap((key) => key.split(':')),
      'filter_key_q7',
      'filter-value-w3',
    ];
    for (const text of [...stored.keys, ...stored.values]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('takes a cursor from one replica on another', async () => {
    const page = `query ($after: String) {
      falLogs(first: 3, after: $after) { edges { node { message } } pageInfo { endCursor } }
    }`;
    const post = async (replica: Replica, variables: Record<string, unknown>) => {
      const response = await fetch(`${replica.url}/graphql`, {
        method: 'POST',
        headers: { ...FAL_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ query: page, variables }),
      });
      return (await response.json()) as {
        data?: { falLogs: { pageInfo: { endCursor: string } } };
        errors?: unknown;
      };
    };
    const first = await post(replicas[0]!, {});
    const after = first.data!.falLogs.pageInfo.endCursor;
    const onAnother = await post(replicas[1]!, { after });
    expect(onAnother.errors).toBeUndefined();
    expect(onAnother).toEqual(await post(replicas[0]!, { after }));
  });

  it('falls back to a stream per replica while Redis is down, and shares again once it is back, losing and repeating nothing', async () => {
    const tails = replicas.map((replica) => tail(replica));
    await sharing(replicas, 3);
    const appending = keepAppending('outage');
    await sleep(400);

    await redis.stop('SIGKILL');
    await eventually(
      () => emulator.openStreams() === 3,
      15_000,
      'an upstream stream on each replica',
    );
    const ready = await fetch(`${replicas[0]!.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });
    await sleep(600);

    await redis.start();
    await sharing(replicas, 3);
    await sleep(400);
    await expectEveryLineOnce(tails, await appending.stop());
    expect(await total(replicas, 'gateway_live_fallbacks_total')).toBeGreaterThanOrEqual(3);
    expect((await fetch(`${replicas[0]!.url}/ready`)).status).toBe(200);
  }, 90_000);

  it('hands the stream to another replica when its holder is killed, losing and repeating nothing', async () => {
    const tails = replicas.map((replica) => tail(replica));
    await sharing(replicas, 3);
    const holder = await leaseHolder(replicas);
    const survivors = replicas.filter((replica) => replica !== holder);
    const appending = keepAppending('takeover');
    await sleep(400);

    const streamsBefore = emulator.calls({ route: 'logs.stream' }).length;
    const takeoversBefore = await total(survivors, 'gateway_live_takeovers_total');
    const killedAt = Date.now();
    await stopGatewayProcess(holder.process, 'SIGKILL');
    await eventually(
      () =>
        emulator.calls({ route: 'logs.stream' }).length > streamsBefore &&
        emulator.openStreams() === 1,
      LEASE_TTL_MS + 10_000,
      'another replica to open the stream',
    );
    const takenOverMs = Date.now() - killedAt;
    await sleep(400);
    await expectEveryLineOnce(
      tails.filter((_, i) => replicas[i] !== holder),
      await appending.stop(),
    );
    expect(emulator.openStreams()).toBe(1);
    expect(await total(survivors, 'gateway_live_takeovers_total')).toBe(takeoversBefore + 1);
    // The lease lapses, the next renewal takes it, and the stream opens: well within two periods.
    expect(takenOverMs).toBeLessThan(2 * LEASE_TTL_MS);
  }, 90_000);
});

describe('live fal tails over the legacy API (polled) on three replicas', () => {
  let replicas: Replica[];
  const POLL_MS = 300;
  beforeAll(async () => {
    replicas = await startReplicas(
      3,
      replicaEnv({ FAL_LOGS_API: 'legacy', FAL_LEGACY_POLL_INTERVAL_MS: String(POLL_MS) }),
    );
  }, 120_000);
  afterEach(() => sleep(POLL_MS * 2));

  const polls = () => emulator.calls({ route: 'logs.legacy' }).length;

  it('polls once per interval for identical tails on every replica, each client getting every line once', async () => {
    const tails = replicas.map((replica) => tail(replica));
    await eventually(
      async () =>
        (await total(replicas, 'gateway_open_subscriptions')) === 3 &&
        (await total(replicas, 'gateway_live_leases_held')) === 1,
      20_000,
      'three subscriptions and one poller',
    );
    emulator.resetCalls();
    await sleep(10 * POLL_MS);
    // One poller, for one of the subscriptions: every poll carries that subscription's request id.
    const pollers = new Set(emulator.calls({ route: 'logs.legacy' }).map((call) => call.requestId));
    expect(pollers.size).toBe(1);
    expect(polls()).toBeGreaterThanOrEqual(5);
    const sent = [
      ...(await appendLive('demo', 5, 'polled')),
      ...(await appendLive('demo', 5, 'x')),
    ];
    await expectEveryLineOnce(tails, sent);
  });

  it('hands the poller over at once when its holder shuts down, losing and repeating nothing', async () => {
    const tails = replicas.map((replica) => tail(replica));
    await eventually(
      async () => (await total(replicas, 'gateway_live_leases_held')) === 1,
      20_000,
      'one poller',
    );
    const holder = await leaseHolder(replicas);
    const survivors = replicas.filter((replica) => replica !== holder);
    const appending = keepAppending('handover');
    await sleep(2 * POLL_MS);

    const takeoversBefore = await total(survivors, 'gateway_live_takeovers_total');
    await stopGatewayProcess(holder.process, 'SIGTERM');
    const stoppedAt = Date.now();
    await eventually(
      async () => (await total(survivors, 'gateway_live_leases_held')) === 1,
      LEASE_TTL_MS * 3,
      'a survivor to take the poller',
    );
    // Given up rather than left to lapse: taken at the next renewal, well before the lease's TTL.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS);
    await sleep(2 * POLL_MS);
    await expectEveryLineOnce(
      tails.filter((_, i) => replicas[i] !== holder),
      await appending.stop(),
    );
    expect(await total(survivors, 'gateway_live_takeovers_total')).toBe(takeoversBefore + 1);
  });
});
