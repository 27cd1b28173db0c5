import { Rng, deriveSeed } from '../random.js';
import type { DifyStore } from './store.js';
import type { DifyRunStatus } from './wire.js';

const TICK_MS = 1000;
const OUTCOMES: readonly (readonly [DifyRunStatus, number])[] = [
  ['succeeded', 85],
  ['failed', 10],
  ['stopped', 5],
];
/** Runs that wait for human input (paused) for a while before they go on. */
const PAUSING = 0.3;

/**
 * Inserts about `runsPerMinute` runs a minute per tenant, some still running and finished a
 * few seconds later, some of those pausing and running again first; runs left running or paused
 * by the generator finish too. Returns the stop function.
 */
export function startDifyLive(
  store: DifyStore,
  tenants: readonly string[],
  options: { seed: number; runsPerMinute: number },
): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const rngs = new Map(
    tenants.map((name) => [name, new Rng(deriveSeed(options.seed, 'dify-live', name))]),
  );
  const credits = new Map(tenants.map((name) => [name, 0]));

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms).unref();
    timers.add(timer);
  };

  const finishLater = (tenant: string, runId: string, rng: Rng) => {
    const finish = () => store.finishRun(tenant, runId, rng.weighted(OUTCOMES));
    if (!rng.chance(PAUSING)) return later(rng.int(3_000, 30_000), finish);
    later(rng.int(2_000, 10_000), () => {
      store.setRunStatus(tenant, runId, 'paused');
      later(rng.int(2_000, 15_000), () => {
        store.setRunStatus(tenant, runId, 'running');
        later(rng.int(2_000, 15_000), finish);
      });
    });
  };

  for (const tenant of tenants) {
    const rng = rngs.get(tenant)!;
    for (const run of store.runs(tenant)) {
      if (run.status === 'running' || run.status === 'paused') finishLater(tenant, run.id, rng);
    }
  }

  const ticker = setInterval(() => {
    for (const tenant of tenants) {
      const rng = rngs.get(tenant)!;
      let credit = (credits.get(tenant) ?? 0) + (options.runsPerMinute * TICK_MS) / 60_000;
      for (; credit >= 1; credit -= 1) {
        const running = rng.chance(0.5);
        const [row] = store.insertRuns(tenant, [
          running ? { status: 'running', orphaned: false } : {},
        ]);
        if (running && row?.workflow_run) finishLater(tenant, row.workflow_run.id, rng);
      }
      credits.set(tenant, credit);
    }
  }, TICK_MS).unref();

  return () => {
    clearInterval(ticker);
    for (const timer of timers) clearTimeout(timer);
  };
}
