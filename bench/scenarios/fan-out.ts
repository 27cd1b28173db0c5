import type { BenchContext } from '../context.js';
import { measureSequential, send } from '../load.js';
import type { Latency, Target } from '../load.js';
import { naiveRequestsWithLogs } from '../naive-client.js';
import {
  FAL_REQUESTS_WITH_LOGS,
  graphqlBody,
  LOGS_PER_REQUEST,
  REQUESTS_PAGE_SIZE,
} from '../operations.js';
import { fixed, medianOf, printSection, targetRow, times } from '../report.js';

/** Every app of the emulator's demo tenant; a bare app id includes its route-level endpoints. */
const ENDPOINT_IDS = ['acme/flux-studio', 'acme/whisper-live', 'acme/sdxl-lora', 'acme/llm-router'];

const CLIENTS = ['gateway', 'naive, concurrent', 'naive, sequential'] as const;
type Client = (typeof CLIENTS)[number];

interface ClientRun {
  latency: Latency;
  callsPerQuery: number;
}
type Run = Record<Client, ClientRun>;

interface RequestsAnswer {
  data?: {
    falRequests?: {
      edges: Array<{ node: { logs: { edges: unknown[] } } }>;
    } | null;
  };
  errors?: unknown;
}

/** Resolves to the number of log lines in the answer. */
function gatewayQuery(target: Target): () => Promise<number> {
  return async () => {
    const text = await send(target);
    const answer = JSON.parse(text) as RequestsAnswer;
    const edges = answer.data?.falRequests?.edges;
    if (answer.errors || edges?.length !== REQUESTS_PAGE_SIZE) {
      throw new Error(`unexpected falRequests answer: ${text.slice(0, 300)}`);
    }
    return edges.reduce((sum, edge) => sum + edge.node.logs.edges.length, 0);
  };
}

async function measureRuns(
  context: BenchContext,
  queries: Record<Client, () => Promise<number>>,
): Promise<Run[]> {
  const { emulator, settings } = context;
  const runs: Run[] = [];
  for (let index = 0; index < settings.runs; index += 1) {
    const run: Partial<Run> = {};
    for (const client of CLIENTS) {
      await emulator.resetCalls();
      const latency = await measureSequential(queries[client], settings.latencySeconds);
      run[client] = { latency, callsPerQuery: (await emulator.calls()) / latency.count };
    }
    runs.push(run as Run);
  }
  return runs;
}

function report(runs: Run[], upstreamLatencyMs: number): void {
  const speedup = (naive: Client) =>
    medianOf(runs, (run) => run[naive].latency.meanMs / run.gateway.latency.meanMs);
  const upstream =
    upstreamLatencyMs > 0 ? `${upstreamLatencyMs} ms added to every upstream answer` : 'loopback';
  printSection(
    `Fan-out: falRequests(first: ${REQUESTS_PAGE_SIZE}) with logs(first: ${LOGS_PER_REQUEST}) each, ${upstream}, one query at a time, median of ${runs.length} runs`,
    CLIENTS.map((client) => {
      const of = (figure: (run: ClientRun) => number) =>
        medianOf(runs, (run) => figure(run[client]));
      return {
        client,
        'mean ms': of((r) => r.latency.meanMs).toFixed(2),
        'p50 ms': of((r) => r.latency.p50Ms).toFixed(2),
        'p99 ms': of((r) => r.latency.p99Ms).toFixed(2),
        'upstream calls / query': of((r) => r.callsPerQuery).toFixed(2),
      };
    }),
    [
      targetRow(
        'upstream calls per gateway query',
        medianOf(runs, (run) => run.gateway.callsPerQuery),
        { comparison: '=', value: 2 },
        fixed(2),
      ),
      targetRow(
        'speed-up over naive, concurrent',
        speedup('naive, concurrent'),
        { comparison: '≥', value: 5 },
        times,
      ),
      targetRow(
        'speed-up over naive, sequential',
        speedup('naive, sequential'),
        { comparison: '≥', value: 5 },
        times,
      ),
    ],
  );
}

/** Scenario 2: a page of requests with each one's newest lines, through the gateway or not. */
export async function fanOut(context: BenchContext): Promise<void> {
  const { emulator, settings, window, falHeaders } = context;
  const gateway = await context.startGateway();
  try {
    const queries: Record<Client, () => Promise<number>> = {
      gateway: gatewayQuery({
        url: `${gateway.url}/graphql`,
        method: 'POST',
        headers: falHeaders,
        body: graphqlBody(FAL_REQUESTS_WITH_LOGS, { endpointIds: ENDPOINT_IDS, ...window }),
      }),
      'naive, concurrent': naiveRequestsWithLogs({
        falUrl: emulator.falUrl,
        headers: falHeaders,
        endpointIds: ENDPOINT_IDS,
        window,
        concurrent: true,
      }),
      'naive, sequential': naiveRequestsWithLogs({
        falUrl: emulator.falUrl,
        headers: falHeaders,
        endpointIds: ENDPOINT_IDS,
        window,
        concurrent: false,
      }),
    };
    const lines = await Promise.all(CLIENTS.map((client) => queries[client]()));
    if (new Set(lines).size !== 1) {
      throw new Error(`the clients read different numbers of log lines: ${lines.join(', ')}`);
    }
    for (const client of CLIENTS) await measureSequential(queries[client], settings.warmupSeconds);
    for (const latencyMs of settings.fanOutUpstreamLatenciesMs) {
      await emulator.setLatency(latencyMs);
      report(await measureRuns(context, queries), latencyMs);
    }
    await emulator.setLatency(0);
  } finally {
    await gateway.stop();
  }
}
