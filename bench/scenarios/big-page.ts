import type { BenchContext } from '../context.js';
import { latencyOf, send } from '../load.js';
import type { Target } from '../load.js';
import { BIG_PAGE_SIZE, FAL_LOGS_BIG_PAGE, FAL_LOGS_PAGE, graphqlBody } from '../operations.js';
import { medianOf, mib, printSection, targetRow } from '../report.js';
import { sampleRss } from '../rss-sampler.js';

const CONCURRENCIES = [1, 4];
const WARM_UP_REQUESTS = 50;
const PEAK_GOAL_BYTES = 200 * 2 ** 20;

interface Run {
  idleRss: number;
  peakRss: number;
  ttlbMs: number[];
}

/** Reads `count` big pages one after another; resolves to each one's time to the last byte. */
async function bigPages(target: Target, count: number): Promise<number[]> {
  const ttlbs: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const text = await send(target);
    ttlbs.push(performance.now() - started);
    const answer = JSON.parse(text) as { data?: { falLogs?: { edges: unknown[] } } };
    if (answer.data?.falLogs?.edges.length !== BIG_PAGE_SIZE) {
      throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
    }
  }
  return ttlbs;
}

/** One fresh gateway, warmed up on small pages, then `requests` big pages, `concurrency` at once. */
async function measureRun(context: BenchContext, concurrency: number): Promise<Run> {
  const gateway = await context.startGateway();
  try {
    const target = (operation: typeof FAL_LOGS_PAGE): Target => ({
      url: `${gateway.url}/graphql`,
      method: 'POST',
      headers: context.falHeaders,
      body: graphqlBody(operation, { ...context.window }),
    });
    for (let i = 0; i < WARM_UP_REQUESTS; i += 1) await send(target(FAL_LOGS_PAGE));
    const idleRss = gateway.rss();
    const sampler = sampleRss(gateway.pid);
    const perClient = Math.ceil(context.settings.bigPageRequests / concurrency);
    const ttlbs = await Promise.all(
      Array.from({ length: concurrency }, () => bigPages(target(FAL_LOGS_BIG_PAGE), perClient)),
    );
    return { idleRss, peakRss: sampler.stop(), ttlbMs: ttlbs.flat() };
  } finally {
    await gateway.stop();
  }
}

/** Scenario 3: `falLogs(first: 5000)`, time to the last byte and the gateway's peak memory. */
export async function bigPage(context: BenchContext): Promise<void> {
  const rows = [];
  const targets = [];
  for (const concurrency of CONCURRENCIES) {
    const runs: Run[] = [];
    for (let index = 0; index < context.settings.runs; index += 1) {
      runs.push(await measureRun(context, concurrency));
    }
    const peak = medianOf(runs, (run) => run.peakRss);
    rows.push({
      'at once': concurrency,
      requests: runs[0]!.ttlbMs.length,
      'TTLB mean ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).meanMs).toFixed(0),
      'TTLB p50 ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).p50Ms).toFixed(0),
      'TTLB max ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).maxMs).toFixed(0),
      'idle RSS MiB': mib(medianOf(runs, (run) => run.idleRss)),
      'peak RSS MiB': mib(peak),
    });
    targets.push(
      targetRow(
        `peak RSS, ${concurrency} at once (MiB)`,
        peak,
        { comparison: '<', value: PEAK_GOAL_BYTES },
        mib,
      ),
    );
  }
  printSection(
    `Big pages: falLogs(first: ${BIG_PAGE_SIZE}) on a fresh gateway per run, median of ${context.settings.runs} runs`,
    rows,
    targets,
  );
}
