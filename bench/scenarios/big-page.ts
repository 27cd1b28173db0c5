import { request } from 'undici';
import type { BenchContext } from '../context.js';
import { productionNodeFlags } from '../gateway-process.js';
import { latencyOf, send } from '../load.js';
import type { Target } from '../load.js';
import { BIG_PAGE_SIZE, FAL_LOGS_BIG_PAGE, FAL_LOGS_PAGE, graphqlBody } from '../operations.js';
import { fixed, medianOf, mib, printSection, targetRow } from '../report.js';
import { sampleRss } from '../rss-sampler.js';

const CONCURRENCIES = [1, 4];
const WARM_UP_REQUESTS = 50;
const PEAK_GOAL_BYTES = 150 * 2 ** 20;
const HISTORY_ROUTE = 'logs.history';

interface Run {
  idleRss: number;
  peakRss: number;
  ttfbMs: number[];
  ttlbMs: number[];
  /** One at a time only: upstream history reads made when the first byte arrived, and in all, per page. */
  readsAtFirstByte: number[];
  readsPerPage: number[];
}

interface BigPage {
  ttfbMs: number;
  ttlbMs: number;
  /** Upstream history reads made by the time the first byte arrived (one page at a time only). */
  readsAtFirstByte?: number;
}

/** Reads one big page as it arrives: times to its first and last byte. */
async function readBigPage(target: Target, readsSoFar?: () => Promise<number>): Promise<BigPage> {
  const started = performance.now();
  const response = await request(target.url, {
    method: target.method,
    headers: target.headers,
    body: target.body,
  });
  const chunks: Buffer[] = [];
  let ttfbMs: number | undefined;
  let readsAtFirstByte: Promise<number> | undefined;
  for await (const chunk of response.body) {
    if (ttfbMs === undefined) {
      ttfbMs = performance.now() - started;
      readsAtFirstByte = readsSoFar?.();
    }
    chunks.push(chunk as Buffer);
  }
  const ttlbMs = performance.now() - started;
  const text = Buffer.concat(chunks).toString();
  const answer = JSON.parse(text) as { data?: { falLogs?: { edges: unknown[] } } };
  if (response.statusCode !== 200 || answer.data?.falLogs?.edges.length !== BIG_PAGE_SIZE) {
    throw new Error(`unexpected answer ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  return { ttfbMs: ttfbMs ?? ttlbMs, ttlbMs, readsAtFirstByte: await readsAtFirstByte };
}

/** One fresh gateway, warmed up on small pages, then `requests` big pages, `concurrency` at once. */
async function measureRun(context: BenchContext, concurrency: number): Promise<Run> {
  const gateway = await context.startGateway();
  const historyReads = async () => (await context.emulator.callsByRoute())[HISTORY_ROUTE] ?? 0;
  try {
    const target = (operation: typeof FAL_LOGS_PAGE): Target => ({
      url: `${gateway.url}/graphql`,
      method: 'POST',
      headers: { ...context.falHeaders, 'content-type': 'application/json' },
      body: graphqlBody(operation, { ...context.window }),
    });
    for (let i = 0; i < WARM_UP_REQUESTS; i += 1) await send(target(FAL_LOGS_PAGE));
    const idleRss = gateway.rss();
    const sampler = sampleRss(gateway.pid);
    const perClient = Math.ceil(context.settings.bigPageRequests / concurrency);
    const pages: BigPage[] = [];
    const readsPerPage: number[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = 0; i < perClient; i += 1) {
          if (concurrency > 1) {
            pages.push(await readBigPage(target(FAL_LOGS_BIG_PAGE)));
            continue;
          }
          await context.emulator.resetCalls();
          pages.push(await readBigPage(target(FAL_LOGS_BIG_PAGE), historyReads));
          readsPerPage.push(await historyReads());
        }
      }),
    );
    return {
      idleRss,
      peakRss: sampler.stop(),
      ttfbMs: pages.map((page) => page.ttfbMs),
      ttlbMs: pages.map((page) => page.ttlbMs),
      readsAtFirstByte: pages.flatMap((page) => page.readsAtFirstByte ?? []),
      readsPerPage,
    };
  } finally {
    await gateway.stop();
  }
}

const meanOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Scenario 3: `falLogs(first: 5000)`, times to the first and last byte, the gateway's peak
 * memory, and (one page at a time) how many of the page's upstream reads were made when its
 * first byte arrived.
 */
export async function bigPage(context: BenchContext): Promise<void> {
  const rows = [];
  const targets = [];
  for (const concurrency of CONCURRENCIES) {
    const runs: Run[] = [];
    for (let index = 0; index < context.settings.runs; index += 1) {
      runs.push(await measureRun(context, concurrency));
    }
    const peak = medianOf(runs, (run) => run.peakRss);
    const sequential = concurrency === 1;
    rows.push({
      'at once': concurrency,
      requests: runs[0]!.ttlbMs.length,
      'TTFB mean ms': medianOf(runs, (run) => latencyOf(run.ttfbMs).meanMs).toFixed(0),
      'TTLB mean ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).meanMs).toFixed(0),
      'TTLB p50 ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).p50Ms).toFixed(0),
      'TTLB max ms': medianOf(runs, (run) => latencyOf(run.ttlbMs).maxMs).toFixed(0),
      'upstream reads at first byte / per page': sequential
        ? `${medianOf(runs, (run) => meanOf(run.readsAtFirstByte)).toFixed(1)} / ${medianOf(runs, (run) => meanOf(run.readsPerPage)).toFixed(1)}`
        : '',
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
    if (sequential) {
      // Reads still to come when the first byte arrived, the most of any page (≥ 1: streamed).
      const readsLeft = medianOf(runs, (run) =>
        Math.min(...run.readsPerPage.map((reads, i) => reads - run.readsAtFirstByte[i]!)),
      );
      targets.push(
        targetRow(
          'upstream reads after the first byte, fewest of any page',
          readsLeft,
          { comparison: '≥', value: 1 },
          fixed(0),
        ),
      );
    }
  }
  printSection(
    `Big pages: falLogs(first: ${BIG_PAGE_SIZE}) on a fresh gateway per run (node ${productionNodeFlags().join(' ') || 'without flags'}), median of ${context.settings.runs} runs`,
    rows,
    targets,
  );
}
