import type { BenchContext } from '../context.js';
import { cpuMeter } from '../cpu-meter.js';
import { startFloorProxyProcess } from '../floor-proxy-process.js';
import { measureSequential, measureThroughput, send } from '../load.js';
import type { Latency, Target, Throughput } from '../load.js';
import { FAL_LOGS_PAGE, graphqlBody, PAGE_SIZE, WORKFLOW_LOGS_PAGE } from '../operations.js';
import type { Operation } from '../operations.js';
import { medianOf, percent, printSection, targetRow, times } from '../report.js';
import { difyLogsCall, falHistoryCall } from '../upstream-calls.js';
import type { UpstreamCall } from '../upstream-calls.js';

const SIDES = ['upstream direct', 'floor proxy', 'gateway'] as const;
type Side = (typeof SIDES)[number];

interface Route {
  field: 'falLogs' | 'workflowLogs';
  operation: Operation;
  upstreamUrl: string;
  upstreamCall: UpstreamCall;
  headers: Record<string, string>;
}

interface SideRun {
  throughput: Throughput;
  /** CPU time the serving process spent per request under load. */
  cpuMsPerRequest: number;
  single: Latency;
}

/** The process that answers each side's requests. */
type Servers = Record<Side, { url: string; pid: number }>;
type Run = Record<Side, SideRun>;

/** The nodes of a GraphQL connection answer, cursors left out: they differ by design. */
function connectionNodes(text: string, field: string): unknown[] {
  const answer = JSON.parse(text) as {
    data?: Record<string, { edges: Array<{ node: unknown }> } | null>;
    errors?: unknown;
  };
  const edges = answer.data?.[field]?.edges;
  if (answer.errors || edges?.length !== PAGE_SIZE) {
    throw new Error(`unexpected ${field} answer: ${text.slice(0, 300)}`);
  }
  return edges.map((edge) => edge.node);
}

/** The floor must serve what the gateway serves, or the comparison means nothing. */
async function checkTargets(route: Route, targets: Record<Side, Target>): Promise<void> {
  const [direct, floor, gateway] = await Promise.all(SIDES.map((side) => send(targets[side])));
  const upstream = JSON.parse(direct!) as { items?: unknown[]; data?: unknown[] };
  if ((upstream.items ?? upstream.data)?.length === undefined) {
    throw new Error(`unexpected upstream answer: ${direct!.slice(0, 300)}`);
  }
  const gatewayNodes = JSON.stringify(connectionNodes(gateway!, route.field));
  if (JSON.stringify(connectionNodes(floor!, route.field)) !== gatewayNodes) {
    throw new Error(`the floor proxy's ${route.field} nodes differ from the gateway's`);
  }
}

async function measureRoute(context: BenchContext, route: Route, servers: Servers): Promise<Run[]> {
  const { settings, window } = context;
  const graphql = (url: string): Target => ({
    url: `${url}/graphql`,
    method: 'POST',
    headers: route.headers,
    body: graphqlBody(route.operation, { ...window }),
  });
  const targets: Record<Side, Target> = {
    'upstream direct': {
      url: route.upstreamUrl + route.upstreamCall.path,
      method: route.upstreamCall.method,
      headers: route.headers,
      ...(route.upstreamCall.body !== undefined && { body: route.upstreamCall.body }),
    },
    'floor proxy': graphql(servers['floor proxy'].url),
    gateway: graphql(servers.gateway.url),
  };
  await checkTargets(route, targets);
  for (const side of SIDES) {
    await measureThroughput(targets[side], settings.connections, settings.warmupSeconds);
  }

  const runs: Run[] = [];
  for (let index = 0; index < settings.runs; index += 1) {
    // Rotating the order spreads the machine's drift over all sides.
    const order = SIDES.map((_, i) => SIDES[(i + index) % SIDES.length]!);
    const run: Partial<Run> = {};
    for (const side of order) {
      const target = targets[side];
      const cpu = cpuMeter({ server: servers[side].pid });
      const throughput = await measureThroughput(target, settings.connections, settings.seconds);
      const cpuMsPerRequest = (cpu.read().server / throughput.requests) * 1000;
      const single = await measureSequential(() => send(target), settings.latencySeconds);
      run[side] = { throughput, cpuMsPerRequest, single };
    }
    runs.push(run as Run);
  }
  return runs;
}

function report(context: BenchContext, title: string, runs: Run[]): void {
  const { connections } = context.settings;
  const figures = SIDES.map((side) => {
    const of = (figure: (run: SideRun) => number) => medianOf(runs, (run) => figure(run[side]));
    return {
      side,
      [`req/s @${connections}`]: of((r) => r.throughput.requestsPerSecond).toFixed(0),
      [`p50 ms @${connections}`]: of((r) => r.throughput.p50Ms).toFixed(0),
      [`p99 ms @${connections}`]: of((r) => r.throughput.p99Ms).toFixed(0),
      'server CPU ms / req': of((r) => r.cpuMsPerRequest).toFixed(2),
      'mean ms @1': of((r) => r.single.meanMs).toFixed(2),
      'p99 ms @1': of((r) => r.single.p99Ms).toFixed(2),
      failures: runs.reduce((sum, run) => sum + run[side].throughput.failures, 0),
    };
  });
  const throughputRatio = medianOf(
    runs,
    (run) =>
      run.gateway.throughput.requestsPerSecond / run['floor proxy'].throughput.requestsPerSecond,
  );
  const latencyRatio = medianOf(
    runs,
    (run) => run.gateway.single.meanMs / run['floor proxy'].single.meanMs,
  );
  const upstreamShare = medianOf(
    runs,
    (run) =>
      run.gateway.throughput.requestsPerSecond /
      run['upstream direct'].throughput.requestsPerSecond,
  );
  printSection(title, figures, [
    targetRow(
      `gateway/floor req/s @${connections}`,
      throughputRatio,
      { comparison: '≥', value: 0.7 },
      percent,
    ),
    targetRow(
      'gateway/floor mean latency @1',
      latencyRatio,
      { comparison: '≤', value: 1.5 },
      times,
    ),
    {
      target: `gateway/upstream req/s @${connections}`,
      measured: percent(upstreamShare),
      goal: '—',
      met: '',
    },
  ]);
}

/** Scenario 1: what the gateway adds to one page's upstream call, against a floor proxy. */
export async function overhead(context: BenchContext): Promise<void> {
  const { emulator, window, settings } = context;
  const profile = (name: string) =>
    settings.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}/${name}`]
      : [];
  const gateway = await context.startGateway(profile('gateway'));
  const floor = await startFloorProxyProcess(emulator, profile('floor'));
  try {
    const routes: Route[] = [
      {
        field: 'falLogs',
        operation: FAL_LOGS_PAGE,
        upstreamUrl: emulator.falUrl,
        upstreamCall: falHistoryCall(window, PAGE_SIZE),
        headers: context.falHeaders,
      },
      {
        field: 'workflowLogs',
        operation: WORKFLOW_LOGS_PAGE,
        upstreamUrl: emulator.difyUrl,
        upstreamCall: difyLogsCall(window, PAGE_SIZE),
        headers: context.difyHeaders,
      },
    ];
    for (const route of routes) {
      const runs = await measureRoute(context, route, {
        'upstream direct': { url: route.upstreamUrl, pid: emulator.pid },
        'floor proxy': floor,
        gateway,
      });
      report(
        context,
        `Overhead: ${route.field}(first: ${PAGE_SIZE}), median of ${runs.length} runs`,
        runs,
      );
    }
  } finally {
    await Promise.all([gateway.stop(), floor.stop()]);
  }
}
