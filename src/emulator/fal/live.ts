import { Rng, deriveSeed } from '../random.js';
import { asPending, makeRequest } from './generate.js';
import type { DeployedApp } from './generate.js';
import type { FalStore } from './store.js';
import type { FalLogLineInput, FalRequestRecord } from './wire.js';

const TICK_MS = 250;

export interface FalLiveTenant {
  deployed: DeployedApp[];
  weight: number;
}

interface Due {
  at: number;
  tenant: string;
  line?: FalLogLineInput;
  completed?: FalRequestRecord;
}

/**
 * Starts requests at the current time, about `linesPerSecond` lines' worth for a tenant of
 * weight 1: each is stored as pending, its lines are appended as their timestamps come due,
 * then it is stored as completed. Returns the stop function.
 */
export function startFalLive(
  store: FalStore,
  tenants: ReadonlyMap<string, FalLiveTenant>,
  options: { seed: number; now: () => number; linesPerSecond: number },
): () => void {
  const { now, linesPerSecond } = options;
  const rngs = new Map(
    [...tenants.keys()].map((name) => [name, new Rng(deriveSeed(options.seed, 'fal-live', name))]),
  );
  const budgets = new Map([...tenants.keys()].map((name) => [name, 0]));
  let due: Due[] = [];

  const tick = () => {
    const at = now();
    for (const [tenant, { deployed, weight }] of tenants) {
      const rng = rngs.get(tenant)!;
      let budget = (budgets.get(tenant) ?? 0) + (linesPerSecond * weight * TICK_MS) / 1000;
      while (budget > 0) {
        const app = rng.weighted(deployed.map((entry) => [entry, entry.template.traffic] as const));
        const { record, lines } = makeRequest(rng, app, at, Infinity);
        store.upsertRequest(tenant, asPending(record));
        for (const line of lines) due.push({ at: Date.parse(line.timestamp ?? ''), tenant, line });
        due.push({ at: Date.parse(record.ended_at ?? ''), tenant, completed: record });
        budget -= Math.max(1, lines.length);
      }
      budgets.set(tenant, budget);
    }
    due.sort((a, b) => a.at - b.at);
    const ready = due.filter((entry) => entry.at <= at);
    due = due.filter((entry) => entry.at > at);
    for (const entry of ready) {
      if (entry.line) store.appendLines(entry.tenant, [entry.line]);
      if (entry.completed) store.upsertRequest(entry.tenant, entry.completed);
    }
  };

  const timer = setInterval(tick, TICK_MS).unref();
  return () => clearInterval(timer);
}
