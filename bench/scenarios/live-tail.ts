import { readFileSync } from 'node:fs';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Agent, request } from 'undici';
import type { BenchContext } from '../context.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { latencyOf, send } from '../load.js';
import { startNodeProcess, type NodeProcess } from '../node-process.js';
import { FAL_LOGS_PAGE, graphqlBody, LIVE_TAIL } from '../operations.js';
import { cpuMeter } from '../cpu-meter.js';
import { medianOf, mib, printSection, targetRow, times } from '../report.js';

const WARM_UP_REQUESTS = 20;
const OPEN_BATCH = 250;
const SETTLE_MS = 2_000;
const KIB_PER_SUBSCRIPTION_GOAL = 16;
/** p99 delivery goals (ms) by subscription count, for tails sharing one upstream stream. */
const P99_GOALS_MS = new Map([
  [1000, 50],
  [10_000, 500],
]);
/**
 * Tails with a stream each hold two sockets apiece in the gateway (client and upstream): past
 * this many they would run into the usual 20,000 file descriptors of one process.
 */
const OWN_STREAMS_MAX_SUBSCRIPTIONS = 5000;
/** Sockets and files the load generator needs beside its subscriptions. */
const SPARE_FILE_DESCRIPTORS = 200;

interface Run {
  rssBefore: number;
  /** With the first `half` of the subscriptions open. */
  rssHalf: number;
  rssOpen: number;
  half: number;
  openMs: number;
  expected: number;
  delivered: number;
  latenciesMs: number[];
  closeMs: number;
  /** CPU seconds used while the lines were sent and delivered. */
  cpuSeconds: { server: number; emulator: number; clients: number };
}

const now = () => performance.timeOrigin + performance.now();

/** Polls `done` every 20 ms; resolves to the time it took. */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
) {
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

/**
 * Subscribers in graphql-sse's distinct-connections mode (one POST answered with an event stream
 * each, as browsers use it), each handing the data of every `next` event to `onData`. They read
 * the stream with undici and eventsource-parser rather than graphql-sse's fetch-based client,
 * which costs several times more CPU per event: the clients share the machine with the gateway,
 * and their cost would otherwise swamp the gateway's.
 */
export function eventStreamSubscribers(
  serverUrl: string,
  headers: Record<string, string>,
  query: string,
  variables: () => Record<string, unknown>,
  onData: (data: Record<string, unknown>, subscriber: number) => void,
) {
  const errors: unknown[] = [];
  const closers: Array<() => void> = [];
  const dispatcher = new Agent({ connections: null, keepAliveTimeout: 1_000 });
  const subscribe = async (signal: AbortSignal, subscriber: number) => {
    const response = await request(`${serverUrl}/graphql`, {
      method: 'POST',
      dispatcher,
      signal,
      headers: { ...headers, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: variables() }),
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200)
      throw new Error(`subscription answered ${response.statusCode}`);
    const parser = createParser({
      onEvent: ({ event, data }: EventSourceMessage) => {
        if (event === 'complete') return;
        const result = JSON.parse(data) as { data?: Record<string, unknown>; errors?: unknown };
        if (event !== 'next' || result.errors || !result.data) errors.push(result.errors ?? data);
        else onData(result.data, subscriber);
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    }
  };
  return {
    errors,
    add(count: number) {
      for (let i = 0; i < count; i += 1) {
        const leave = new AbortController();
        subscribe(leave.signal, closers.length).catch((error: unknown) => {
          if (!leave.signal.aborted) errors.push(error);
        });
        closers.push(() => leave.abort());
      }
    },
    close() {
      closers.forEach((close) => close());
      void dispatcher.destroy();
    },
  };
}

/** Live fal tails, each recording the delay from the emulator's emission (in the message) to its receipt. */
export function liveTails(
  serverUrl: string,
  headers: Record<string, string>,
  variables: () => Record<string, unknown>,
) {
  const latenciesMs: number[] = [];
  const subscribers = eventStreamSubscribers(
    serverUrl,
    headers,
    LIVE_TAIL.query,
    variables,
    (data) => {
      const line = data.falLogs as { message: string } | undefined;
      if (line) latenciesMs.push(now() - Number(line.message.split(' ')[2]));
      else subscribers.errors.push(data);
    },
  );
  return { ...subscribers, latenciesMs };
}

/**
 * Fails early when this process (the load generator, one socket per subscription) may not open
 * enough files; the gateway, started from it, inherits the same limit. Linux only.
 */
function checkFileDescriptors(subscriptions: number) {
  let limits: string;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return;
  }
  const soft = Number(/^Max open files\s+(\S+)/m.exec(limits)?.[1]);
  const needed = subscriptions + SPARE_FILE_DESCRIPTORS;
  if (soft < needed) {
    throw new Error(
      `${subscriptions} subscriptions need about ${needed} open files, but ulimit -n is ${soft}: raise it (ulimit -n ${needed}) or lower BENCH_SUBSCRIPTIONS`,
    );
  }
}

/** Subscriptions a server (the gateway, the floor, the reference) holds open, from its metrics. */
export async function openSubscriptions(server: { url: string }): Promise<number> {
  const text = await send({ url: `${server.url}/metrics`, method: 'GET', headers: {} });
  return Number(/^gateway_open_subscriptions (\S+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * Opens subscriptions a batch at a time, as clients arriving over a few seconds would, until
 * `total` are open (counting those open already). In `caught-up` mode each batch catches up
 * before the next opens, so that what replays hold only while they catch up is held for one
 * batch at most, as much when half are open as when all are. Resolves to the time spent opening.
 */
async function openTails(
  tails: ReturnType<typeof liveTails>,
  server: TailServer,
  emulator: EmulatorProcess,
  { from, total }: { from: number; total: number },
  mode: Mode,
): Promise<number> {
  let openingMs = 0;
  for (let opened = from; opened < total;) {
    const started = performance.now();
    const batch = Math.min(OPEN_BATCH, total - opened);
    tails.add(batch);
    opened += batch;
    const target = opened;
    // A replay reads a stream of its own until it has caught up.
    const streams = { shared: 1, own: target, 'caught-up': batch + 1 }[mode];
    const batchOpen = async () =>
      tails.errors.length > 0 ||
      ((await openSubscriptions(server)) >= target && (await emulator.openStreams()) >= streams);
    await waitUntil(batchOpen, `${target} subscriptions`, 60_000);
    if (tails.errors.length > 0) {
      throw new Error(`${tails.errors.length} subscriptions failed`, { cause: tails.errors[0] });
    }
    openingMs += performance.now() - started;
    if (mode === 'caught-up') await catchUpTails(tails, emulator, target);
  }
  return openingMs;
}

/**
 * Lets the `open` replays catch up: one line, which each reads from its own stream and the
 * shared one brings, until every own stream is closed. Its deliveries are not counted.
 */
async function catchUpTails(
  tails: ReturnType<typeof liveTails>,
  emulator: EmulatorProcess,
  open: number,
) {
  tails.latenciesMs.length = 0;
  await emulator.appendTimedLines(1, 1);
  const caughtUp = async () =>
    tails.latenciesMs.length >= open && (await emulator.openStreams()) === 1;
  await waitUntil(caughtUp, `${open} replays to catch up`, 60_000);
  tails.latenciesMs.length = 0;
}

/**
 * `shared`: identical subscriptions, which share one upstream stream. `own`: each subscription
 * replays from `since` (a moment ago), which gives it an upstream stream of its own until it has
 * caught up with the shared one, and they catch up with the first line timed (run up to
 * `OWN_STREAMS_MAX_SUBSCRIPTIONS`). `caught-up`: the same replays, each batch caught up with a
 * line of its own as it opens (see `openTails`), before memory is read and the lines are timed:
 * what a replay costs once it goes on with the shared stream.
 */
const MODES = ['shared', 'own', 'caught-up'] as const;
type Mode = (typeof MODES)[number];

const STREAMS_OF_MODE: Record<Mode, string> = {
  shared: 'one, shared',
  own: 'own until caught up (since)',
  'caught-up': 'own until caught up (since), caught up first',
};

/**
 * What serves a run's subscriptions: the gateway, or beside it, over the same shared upstream
 * stream and clients, the floor (bare `node:http`) and a plain graphql-yoga server
 * (`bench/live-tail-floor.mjs`).
 */
const SERVERS = {
  gateway: 'gateway',
  floor: 'floor: bare node:http',
  yoga: 'plain graphql-yoga',
} as const;
type ServerKind = keyof typeof SERVERS;

interface TailServer extends NodeProcess {
  url: string;
}

const FLOOR_SCRIPT = new URL('../live-tail-floor.mjs', import.meta.url).pathname;

async function startServer(
  context: BenchContext,
  kind: ServerKind,
  name: string,
): Promise<TailServer> {
  if (kind === 'gateway') {
    const { settings, falHeaders } = context;
    const profile = settings.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}/live-tail-${name}`]
      : [];
    const gateway = await context.startGateway(profile);
    for (let i = 0; i < WARM_UP_REQUESTS; i += 1) {
      await send({
        url: `${gateway.url}/graphql`,
        method: 'POST',
        headers: falHeaders,
        body: graphqlBody(FAL_LOGS_PAGE, { ...context.window }),
      });
    }
    return gateway;
  }
  const server = await startNodeProcess({
    args: [FLOOR_SCRIPT],
    env: {
      KIND: kind,
      FAL_API_URL: context.emulator.falUrl,
      FAL_AUTHORIZATION: context.falHeaders.authorization!,
    },
    ready: /listening on (http:\/\/\S+)\/graphql/,
  });
  return { ...server, url: server.banner[1]! };
}

async function measureRun(
  context: BenchContext,
  kind: ServerKind,
  subscriptions: number,
  mode: Mode,
): Promise<Run> {
  const { emulator, settings, falHeaders } = context;
  // The clients of the run before (thousands of sockets) are garbage now: collected here, they
  // cannot pause this run's clients (needs `--expose-gc`, which `npm run bench` passes).
  (globalThis as { gc?: () => void }).gc?.();
  const server = await startServer(context, kind, `${mode}-${subscriptions}`);
  try {
    const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await settle();
    const rssBefore = server.rss();

    const variables = () =>
      mode === 'shared' ? {} : { filter: { since: new Date(Date.now() - 1_000).toISOString() } };
    const tails = liveTails(server.url, falHeaders, variables);
    const half = Math.floor(subscriptions / 2);
    let openMs = await openTails(tails, server, emulator, { from: 0, total: half }, mode);
    await settle();
    const rssHalf = server.rss();
    openMs += await openTails(tails, server, emulator, { from: half, total: subscriptions }, mode);
    await settle();
    const rssOpen = server.rss();

    const cpu = cpuMeter({ server: server.pid, emulator: emulator.pid });
    await emulator.appendTimedLines(settings.linesPerSecond, settings.tailSeconds);
    const expected = Math.round(settings.linesPerSecond * settings.tailSeconds) * subscriptions;
    const allDelivered = () => tails.latenciesMs.length >= expected;
    await waitUntil(allDelivered, 'every line at every client', 30_000).catch((error: Error) =>
      console.error(error.message),
    );
    const cpuSeconds = cpu.read();
    const delivered = tails.latenciesMs.length;

    tails.close();
    // The floor and the reference hold their upstream stream for as long as they run.
    const streamsClosed = async () => (await emulator.openStreams()) === 0;
    const closeMs =
      kind === 'gateway'
        ? await waitUntil(streamsClosed, 'the upstream streams to close', 60_000)
        : Number.NaN;
    return {
      rssBefore,
      rssHalf,
      rssOpen,
      half,
      openMs,
      expected,
      delivered,
      latenciesMs: tails.latenciesMs,
      closeMs,
      cpuSeconds,
    };
  } finally {
    await server.stop();
  }
}

interface Figures {
  kibPerSubscription: number;
  p99Ms: number;
  serverMicrosPerDelivery: number;
}

/** The row of `runs` of `kind` in the scenario's table, and the figures the targets read. */
function summarise(kind: ServerKind, mode: Mode, subscriptions: number, runs: Run[]) {
  // What each subscription of the second half added: what a server's heap grows by once (its
  // young generation, on the first allocations) is not counted per subscription.
  const kibPerSubscription = medianOf(
    runs,
    (run) => (run.rssOpen - run.rssHalf) / (subscriptions - run.half) / 1024,
  );
  const microsPerDelivery = (['server', 'emulator', 'clients'] as const).map((side) =>
    medianOf(runs, (run) => (run.cpuSeconds[side] / run.delivered) * 1e6),
  );
  const figures: Figures = {
    kibPerSubscription,
    p99Ms: medianOf(runs, (run) => latencyOf(run.latenciesMs).p99Ms),
    serverMicrosPerDelivery: microsPerDelivery[0]!,
  };
  const row = {
    server: SERVERS[kind],
    'upstream streams': STREAMS_OF_MODE[mode],
    subscriptions,
    'RSS before MiB': mib(medianOf(runs, (run) => run.rssBefore)),
    'RSS half open MiB': mib(medianOf(runs, (run) => run.rssHalf)),
    'RSS open MiB': mib(medianOf(runs, (run) => run.rssOpen)),
    'KiB / subscription': kibPerSubscription.toFixed(1),
    'open all ms': medianOf(runs, (run) => run.openMs).toFixed(0),
    delivered: runs.map((run) => `${run.delivered}/${run.expected}`).join(', '),
    'p50 ms': medianOf(runs, (run) => latencyOf(run.latenciesMs).p50Ms).toFixed(1),
    'p99 ms': figures.p99Ms.toFixed(1),
    'max ms': medianOf(runs, (run) => latencyOf(run.latenciesMs).maxMs).toFixed(1),
    'upstreams closed after ms':
      kind === 'gateway' ? medianOf(runs, (run) => run.closeMs).toFixed(0) : '—',
    'CPU µs / delivery: server / emulator / clients': microsPerDelivery
      .map((micros) => micros.toFixed(0))
      .join(' / '),
  };
  return { row, figures };
}

function targetsOf(mode: Mode, subscriptions: number, gateway: Figures) {
  const targets = [
    targetRow(
      `memory per subscription @${subscriptions}, ${mode} (KiB)`,
      gateway.kibPerSubscription,
      { comparison: '≤', value: KIB_PER_SUBSCRIPTION_GOAL },
      (value) => value.toFixed(1),
    ),
  ];
  const p99Goal = P99_GOALS_MS.get(subscriptions);
  if (p99Goal !== undefined) {
    targets.push(
      targetRow(
        `p99 delivery @${subscriptions}, ${mode} (ms)`,
        gateway.p99Ms,
        { comparison: '<', value: p99Goal },
        (value) => value.toFixed(1),
      ),
    );
  }
  return targets;
}

/** The gateway's figures over the floor's, measured in the same runs. */
const overFloor = (subscriptions: number, gateway: Figures, floor: Figures) => ({
  'shared, subscriptions': subscriptions,
  'gateway / floor: KiB per subscription': times(
    gateway.kibPerSubscription / floor.kibPerSubscription,
  ),
  'p99 delivery': times(gateway.p99Ms / floor.p99Ms),
  'CPU per delivery': times(gateway.serverMicrosPerDelivery / floor.serverMicrosPerDelivery),
});

/**
 * Scenario 4: live tails at scale, memory per subscription and delivery latency. With one
 * shared upstream stream, the gateway's runs alternate with the floor's and the reference's.
 */
export async function liveTail(context: BenchContext): Promise<void> {
  const { settings } = context;
  const rows = [];
  const targets = [];
  const ratios = [];
  checkFileDescriptors(Math.max(...settings.subscriptionCounts));
  const runsOf = (mode: Mode) =>
    settings.subscriptionCounts
      .filter((count) => mode === 'shared' || count <= OWN_STREAMS_MAX_SUBSCRIPTIONS)
      .map((count) => [mode, count] as const);
  for (const [mode, subscriptions] of MODES.flatMap(runsOf)) {
    const kinds: ServerKind[] = mode === 'shared' ? ['gateway', 'floor', 'yoga'] : ['gateway'];
    const runs = new Map(kinds.map((kind) => [kind, [] as Run[]]));
    for (let index = 0; index < settings.runs; index += 1) {
      for (const kind of kinds) {
        runs.get(kind)!.push(await measureRun(context, kind, subscriptions, mode));
      }
    }
    const figures = new Map<ServerKind, Figures>();
    for (const kind of kinds) {
      const { row, figures: measured } = summarise(kind, mode, subscriptions, runs.get(kind)!);
      rows.push(row);
      figures.set(kind, measured);
    }
    const gateway = figures.get('gateway')!;
    targets.push(...targetsOf(mode, subscriptions, gateway));
    const floor = figures.get('floor');
    if (floor) ratios.push(overFloor(subscriptions, gateway, floor));
  }
  printSection(
    `Live tail: ${settings.linesPerSecond} lines/s for ${settings.tailSeconds} s to every subscription, median of ${settings.runs} runs; memory per subscription from the second half opened`,
    rows,
    ratios,
    targets,
  );
}
