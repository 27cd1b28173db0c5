import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDify } from '../../src/emulator/dify/generate.js';
import { startDifyLive } from '../../src/emulator/dify/live.js';
import { DifyStore } from '../../src/emulator/dify/store.js';

afterEach(() => vi.useRealTimers());

describe('live Dify runs', () => {
  it('start running, some pause and run again, and all finish', () => {
    vi.useFakeTimers({ now: Date.parse('2025-06-01T12:00:00Z') });
    const store = new DifyStore(() => Date.now());
    store.addTenant(
      'demo',
      generateDify({ seed: 5, tenant: 'demo', anchor: Date.now(), scale: 0.05 }),
    );
    const before = new Set(store.runs('demo').map((run) => run.id));
    const stop = startDifyLive(store, ['demo'], { seed: 5, runsPerMinute: 60 });
    const seen = new Map<string, string[]>();
    for (let second = 0; second < 5 * 60; second += 1) {
      vi.advanceTimersByTime(1_000);
      for (const run of store.runs('demo')) {
        const statuses = seen.get(run.id) ?? [];
        if (statuses.at(-1) !== run.status) statuses.push(run.status);
        seen.set(run.id, statuses);
      }
    }
    stop();
    vi.advanceTimersByTime(5 * 60_000);

    const live = [...seen].filter(([id]) => !before.has(id));
    expect(live.length).toBeGreaterThan(200);
    const paths = live.map(([, statuses]) => statuses.join(' > '));
    expect(
      paths.filter((path) => /^running > paused > running > \w/.test(path)).length,
    ).toBeGreaterThan(5);
    const insertedBeforeTheLastMinute = live.slice(0, live.length - 90);
    for (const [id] of insertedBeforeTheLastMinute) {
      expect(store.run('demo', id)!.status).toMatch(
        /^(succeeded|failed|stopped|partial-succeeded)$/,
      );
      expect(store.run('demo', id)!.finished_at).not.toBeNull();
    }
    const paused = live.find(([, statuses]) => statuses.includes('paused'))!;
    expect(store.run('demo', paused[0])!.finished_at).not.toBeNull();
  });
});
