import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import type { BenchContext } from '../context.js';
import type { GatewayProcess } from '../gateway-process.js';
import { latencyOf } from '../load.js';
import { printSection, targetRow } from '../report.js';
import { liveTails, openSubscriptions, waitUntil } from './live-tail.js';

const CURSOR_SECRET = 'the secret the benchmark replicas share';
const SUBSCRIPTIONS_PER_REPLICA = 20;
const SETTLE_MS = 2_000;
const LEGACY_POLL_INTERVAL_MS = 1_000;
/** Distinct topics whose Redis streams are filled to measure memory per topic. */
const MEMORY_TOPICS = 20;

const redisEnv = (redis: RedisServer) => ({ REDIS_URL: redis.url, CURSOR_SECRET });

const startReplicas = (context: BenchContext, count: number, env: Record<string, string>) =>
  Promise.all(Array.from({ length: count }, () => context.startGateway([], env)));

const stopAll = (gateways: readonly GatewayProcess[]) =>
  Promise.all(gateways.map((gateway) => gateway.stop()));

async function subscriptionsOf(gateways: readonly GatewayProcess[]): Promise<number> {
  const counts = await Promise.all(gateways.map(openSubscriptions));
  return counts.reduce((sum, count) => sum + count, 0);
}

interface TailRun {
  streamsOpened: number;
  peakOpenStreams: number;
  expected: number;
  delivered: number;
  latenciesMs: number[];
}

/**
 * Identical tails (no filter) on every replica while the emulator sends timed lines: the
 * upstream streams opened for them, and the delay from each line's emission to each client.
 */
async function tailRun(
  context: BenchContext,
  replicaCount: number,
  env: Record<string, string>,
): Promise<TailRun> {
  const { emulator, settings, falHeaders } = context;
  const gateways = await startReplicas(context, replicaCount, env);
  const tails = gateways.map((gateway) => liveTails(gateway.url, falHeaders, () => ({})));
  try {
    await emulator.resetCalls();
    for (const each of tails) each.add(SUBSCRIPTIONS_PER_REPLICA);
    const subscriptions = replicaCount * SUBSCRIPTIONS_PER_REPLICA;
    await waitUntil(
      async () => (await subscriptionsOf(gateways)) >= subscriptions,
      `${subscriptions} subscriptions`,
      60_000,
    );
    await sleep(SETTLE_MS);
    let peakOpenStreams = 0;
    let sampling = true;
    const sampled = (async () => {
      while (sampling) {
        peakOpenStreams = Math.max(peakOpenStreams, await emulator.openStreams());
        await sleep(50);
      }
    })();
    await emulator.appendTimedLines(settings.linesPerSecond, settings.tailSeconds);
    const expected = Math.round(settings.linesPerSecond * settings.tailSeconds) * subscriptions;
    const delivered = () => tails.reduce((sum, each) => sum + each.latenciesMs.length, 0);
    await waitUntil(() => delivered() >= expected, 'every line at every client', 30_000).catch(
      (error: Error) => console.error(error.message),
    );
    sampling = false;
    await sampled;
    return {
      streamsOpened: (await emulator.callsByRoute())['logs.stream'] ?? 0,
      peakOpenStreams,
      expected,
      delivered: delivered(),
      latenciesMs: tails.flatMap((each) => each.latenciesMs),
    };
  } finally {
    for (const each of tails) each.close();
    await stopAll(gateways);
  }
}

/** Identical tails over the legacy API (polled) on every replica: polls per second. */
async function pollRun(context: BenchContext, replicaCount: number, redis: RedisServer) {
  const { emulator, settings, falHeaders } = context;
  const gateways = await startReplicas(context, replicaCount, {
    ...redisEnv(redis),
    FAL_LOGS_API: 'legacy',
    FAL_LEGACY_POLL_INTERVAL_MS: String(LEGACY_POLL_INTERVAL_MS),
  });
  const tails = gateways.map((gateway) => liveTails(gateway.url, falHeaders, () => ({})));
  try {
    for (const each of tails) each.add(SUBSCRIPTIONS_PER_REPLICA);
    const subscriptions = replicaCount * SUBSCRIPTIONS_PER_REPLICA;
    await waitUntil(
      async () => (await subscriptionsOf(gateways)) >= subscriptions,
      `${subscriptions} subscriptions`,
      60_000,
    );
    await sleep(SETTLE_MS);
    await emulator.resetCalls();
    await sleep(settings.tailSeconds * 1000);
    const polls = (await emulator.callsByRoute())['logs.legacy'] ?? 0;
    return polls / settings.tailSeconds;
  } finally {
    for (const each of tails) each.close();
    await stopAll(gateways);
  }
}

/**
 * Redis memory per topic: one replica follows `MEMORY_TOPICS` distinct topics (tails that end
 * at distinct times in an hour), and lines arrive until every topic's stream is at its cap.
 */
async function memoryRun(context: BenchContext, redis: RedisServer) {
  const { emulator, falHeaders } = context;
  const [gateway] = await startReplicas(context, 1, redisEnv(redis));
  const client = new Redis(redis.url, { lazyConnect: true, protocol: 2 });
  const end = Date.now() + 3_600_000;
  const tails = Array.from({ length: MEMORY_TOPICS }, (_, topic) => {
    const until = new Date(end + topic * 1000).toISOString();
    return liveTails(gateway!.url, falHeaders, () => ({ filter: { until } }));
  });
  try {
    await client.connect();
    await client.flushall();
    const emptyBytes = await usedMemory(client);
    for (const each of tails) each.add(1);
    await waitUntil(
      async () => (await openSubscriptions(gateway!)) >= MEMORY_TOPICS,
      'the topics',
      60_000,
    );
    await emulator.appendTimedLines(400, 4);
    await sleep(SETTLE_MS);
    const keys = await client.keys('*:events');
    const lengths = await Promise.all(keys.map((key) => client.xlen(key)));
    const perTopic = ((await usedMemory(client)) - emptyBytes) / keys.length;
    const entries = lengths.reduce((sum, length) => sum + length, 0) / keys.length;
    return { topics: keys.length, entries, perTopic, perEntry: perTopic / entries };
  } finally {
    for (const each of tails) each.close();
    client.disconnect();
    await gateway!.stop();
  }
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/**
 * Scenario 6: live tails shared across replicas through Redis. Upstream streams and polls per
 * topic with 1, 3 and 6 replicas (flat is the goal), delivery latency through Redis beside a
 * single gateway sharing in process, and Redis memory per topic. One run each: these are counts
 * more than timings.
 */
export async function replicas(context: BenchContext): Promise<void> {
  const { settings } = context;
  const redis = await startRedisServer();
  try {
    const rows = [];
    const targets = [];
    const inProcess = await tailRun(context, 1, {});
    rows.push(tailRow('in process (no REDIS_URL)', 1, inProcess, undefined));
    for (const count of settings.replicaCounts) {
      const shared = await tailRun(context, count, redisEnv(redis));
      const pollsPerSecond = await pollRun(context, count, redis);
      rows.push(tailRow('through Redis', count, shared, pollsPerSecond));
      targets.push(
        targetRow(
          `upstream streams opened for one topic on ${count} replicas`,
          shared.streamsOpened,
          { comparison: '=', value: 1 },
          (value) => value.toFixed(0),
        ),
        targetRow(
          `legacy polls per interval for one topic on ${count} replicas`,
          (pollsPerSecond * LEGACY_POLL_INTERVAL_MS) / 1000,
          { comparison: '≤', value: 1.2 },
          (value) => value.toFixed(2),
        ),
      );
    }
    const memory = await memoryRun(context, redis);
    printSection(
      `Replicas sharing live tails through Redis: ${SUBSCRIPTIONS_PER_REPLICA} identical tails per replica, ${settings.linesPerSecond} lines/s for ${settings.tailSeconds} s; legacy polls every ${LEGACY_POLL_INTERVAL_MS} ms`,
      rows,
      targets,
    );
    printSection(
      'Redis memory per topic (streams at REDIS_STREAM_MAX_LEN, fal lines of the emulator)',
      [
        {
          topics: memory.topics,
          'entries per stream': memory.entries.toFixed(0),
          'KiB per topic': (memory.perTopic / 1024).toFixed(1),
          'bytes per entry': memory.perEntry.toFixed(0),
        },
      ],
    );
  } finally {
    await redis.stop();
  }
}

function tailRow(
  sharing: string,
  replicaCount: number,
  run: TailRun,
  pollsPerSecond: number | undefined,
): Record<string, string | number> {
  const latency = latencyOf(run.latenciesMs);
  return {
    sharing,
    replicas: replicaCount,
    subscriptions: replicaCount * SUBSCRIPTIONS_PER_REPLICA,
    'upstream streams opened': run.streamsOpened,
    'peak open streams': run.peakOpenStreams,
    'legacy polls / s': pollsPerSecond === undefined ? '–' : pollsPerSecond.toFixed(2),
    delivered: `${run.delivered}/${run.expected}`,
    'p50 ms': latency.p50Ms.toFixed(1),
    'p99 ms': latency.p99Ms.toFixed(1),
  };
}
