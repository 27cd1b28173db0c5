import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS, startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import {
  DAY,
  DIFY,
  DIFY_OTHER,
  FAL,
  FAL_OTHER,
  NOW,
  call,
  history,
  micros,
  openStream,
  startTestEmulator,
  waitUntil,
} from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

function snapshot(target: Emulator) {
  return {
    lines: target.fal.lines('demo'),
    requests: target.fal.requests('demo'),
    apps: target.fal.apps('demo'),
    logs: target.dify.logs('demo'),
    runs: target.dify.runs('demo'),
    other: [target.fal.lines('other'), target.dify.logs('other')],
  };
}

describe('determinism', () => {
  it('gives identical data for the same seed and anchor, different data for another seed', async () => {
    const same = await startTestEmulator();
    const reseeded = await startTestEmulator({ seed: 43 });
    try {
      expect(snapshot(same)).toEqual(snapshot(emulator));
      expect(reseeded.fal.lines('demo')).not.toEqual(emulator.fal.lines('demo'));
      expect(reseeded.dify.logs('demo')).not.toEqual(emulator.dify.logs('demo'));
    } finally {
      await Promise.all([same.close(), reseeded.close()]);
    }
  });
});

describe('tenants', () => {
  it("serves each key its own tenant's data, the other tenant smaller", async () => {
    const demo = (await history(emulator, { limit: 1000 })).body.items;
    const other = (await history(emulator, { limit: 1000 }, undefined, FAL_OTHER)).body.items;
    const inDay = (lines: readonly { timestamp: string }[]) =>
      lines.filter((line) => micros(line.timestamp) >= (NOW - DAY) * 1000);
    expect(other).toEqual(inDay(emulator.fal.lines('other')).slice(0, 1000));
    expect(inDay(emulator.fal.lines('other')).length).toBeLessThan(
      inDay(emulator.fal.lines('demo')).length / 2,
    );
    const demoApps = new Set(emulator.fal.apps('demo').map((app) => app.name));
    expect(other.some((line) => demoApps.has(line.app))).toBe(false);
    expect(demo.some((line) => demoApps.has(line.app))).toBe(true);

    const demoRuns = await call<{ total: number }>(`${emulator.difyUrl}/workflows/logs`, {
      headers: DIFY,
    });
    const otherRuns = await call<{ total: number }>(`${emulator.difyUrl}/workflows/logs`, {
      headers: DIFY_OTHER,
    });
    expect(otherRuns.body.total).toBe(emulator.dify.logs('other').length);
    expect(otherRuns.body.total).toBeLessThan(demoRuns.body.total / 2);
  });

  it('accepts the configured keys only', async () => {
    const own = await startTestEmulator({
      scale: 0.05,
      falKeys: { 'team-key:secret': 'team' },
      difyKeys: { 'app-team': 'team' },
    });
    try {
      expect(
        (await history(own, {}, undefined, { authorization: 'Key team-key:secret' })).status,
      ).toBe(200);
      expect((await history(own, {}, undefined, FAL)).status).toBe(401);
      expect(own.fal.apps('team').length).toBeGreaterThan(0);
      expect(own.dify.logs('team').length).toBeGreaterThan(0);
      expect(() => own.fal.lines('demo')).toThrow(/Unknown fal tenant/);
    } finally {
      await own.close();
    }
  });

  it('exports the demo keys', () => {
    expect(DEMO_KEYS.fal).toMatch(/^[^:]+:[^:]+$/);
    expect(DEMO_KEYS.dify).toMatch(/^app-demo-/);
    expect(new Set(Object.values(DEMO_KEYS)).size).toBe(4);
  });
});

describe('generated fal data', () => {
  const lines = () => emulator.fal.lines('demo');

  it('has bursts of 20 to 60 lines sharing one timestamp', () => {
    const counts = new Map<string, number>();
    for (const line of lines()) counts.set(line.timestamp, (counts.get(line.timestamp) ?? 0) + 1);
    const bursts = [...counts.values()].filter((count) => count >= 20);
    expect(bursts.length).toBeGreaterThan(5);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(60);
  });

  it('mixes level casing, stdout/stderr, an unknown level, unicode, multi-line messages and tracebacks', () => {
    const levels = new Set(lines().map((line) => line.level));
    for (const level of ['info', 'INFO', 'STDOUT', 'STDERR', 'notice', 'ERROR', 'debug'])
      expect(levels).toContain(level);
    expect(lines().some((line) => [...line.message].some((char) => char.charCodeAt(0) > 127))).toBe(
      true,
    );
    expect(lines().some((line) => line.message.includes('\n'))).toBe(true);
    expect(lines().some((line) => line.level.toLowerCase() === 'error')).toBe(true);
  });

  it('labels request lines fully and leaves fal_request_id off setup and background lines', () => {
    const request = lines().find((line) => line.labels.fal_request_id)!;
    expect(Object.keys(request.labels).sort()).toEqual(
      [
        'fal_app_id',
        'fal_app_name',
        'fal_endpoint',
        'fal_env',
        'fal_job_id',
        'fal_node_id',
        'fal_request_id',
        'fal_worker_id',
        'logged_at',
        'source',
      ].sort(),
    );
    const sources = new Set(
      lines()
        .filter((line) => !line.labels.fal_request_id)
        .map((line) => line.labels.source),
    );
    expect(sources).toEqual(new Set(['grpc-register', 'grpc-run', 'cron']));
  });

  it('ties lines to requests through fal_request_id and fal_job_id = runner_id', () => {
    const byId = new Map(
      emulator.fal.requests('demo').map((record) => [record.request_id, record]),
    );
    for (const line of lines().filter((candidate) => candidate.labels.fal_request_id)) {
      expect(byId.get(line.labels.fal_request_id!)?.runner_id).toBe(line.labels.fal_job_id);
    }
  });

  it('has apps with 2 or 3 revisions and route-level endpoints', () => {
    for (const app of emulator.fal.apps('demo')) {
      expect(app.revisions.length).toBeGreaterThanOrEqual(2);
      expect(app.revisions.length).toBeLessThanOrEqual(3);
      expect(app.endpoints[0]).toBe(app.id);
    }
    expect(emulator.fal.apps('demo').some((app) => app.endpoints.length > 1)).toBe(true);
  });

  it('has requests of every kind: pending, undispatched, 2xx, 4xx, 5xx, older than a day', () => {
    const requests = emulator.fal.requests('demo');
    expect(requests.some((record) => record.ended_at === null && record.status_code === null)).toBe(
      true,
    );
    expect(requests.some((record) => record.runner_id === null)).toBe(true);
    for (const hundreds of [2, 4, 5]) {
      expect(
        requests.some((record) => Math.floor((record.status_code ?? 0) / 100) === hundreds),
      ).toBe(true);
    }
    const ages = requests.map((record) => NOW - Date.parse(record.sent_at));
    expect(ages.some((age) => age > DAY)).toBe(true);
    expect(Math.max(...ages)).toBeLessThanOrEqual(90 * DAY);
  });

  it('generates about 20k lines a day for the demo tenant at scale 1', async () => {
    const full = await startEmulator({ anchor: NOW, now: () => NOW });
    try {
      const day = full.fal
        .lines('demo')
        .filter((line) => micros(line.timestamp) >= (NOW - DAY) * 1000);
      expect(day.length).toBeGreaterThan(15_000);
      expect(day.length).toBeLessThan(25_000);
    } finally {
      await full.close();
    }
  });

  it('appendLines fills defaults and keeps given fields verbatim', () => {
    const [line] = emulator.fal.appendLines('demo', [{ message: 'hello' }]);
    expect(line).toMatchObject({
      timestamp: new Date(NOW).toISOString(),
      level: 'info',
      message: 'hello',
    });
    expect(line!.app).toBe(emulator.fal.apps('demo')[0]!.name);
    const [raw] = emulator.fal.appendLines('demo', [
      { timestamp: '2025-06-01T11:00:00.000001', labels: {} },
    ]);
    expect(raw).toMatchObject({ timestamp: '2025-06-01T11:00:00.000001', labels: {} });
  });
});

describe('live data', () => {
  it('appends fal lines and inserts Dify runs as time passes, and stops on close', async () => {
    const live = await startEmulator({
      scale: 0.05,
      live: { falLinesPerSecond: 200, difyRunsPerMinute: 600 },
    });
    const before = { lines: live.fal.lines('demo').length, runs: live.dify.logs('demo').length };
    const stream = await openStream(live, { start: new Date().toISOString() });
    try {
      await waitUntil(
        () =>
          live.fal.lines('demo').length > before.lines + 20 &&
          live.dify.logs('demo').length > before.runs,
      );
      await stream.waitFor((s) => s.lines().length > 0);
      const { items } = (await history(live, { limit: 5 })).body;
      expect(items.length).toBe(5);
      expect(Date.now() - Date.parse(items[0]!.timestamp)).toBeLessThan(10_000);
      expect(live.fal.requests('demo').some((record) => record.ended_at === null)).toBe(true);
    } finally {
      stream.close();
      await live.close();
    }
    const after = live.fal.lines('demo').length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(live.fal.lines('demo').length).toBe(after);
  });
});
