import { generateDify } from './dify/generate.js';
import { startDifyLive } from './dify/live.js';
import { difySource } from './dify/server.js';
import { DifyStore } from './dify/store.js';
import { generateFal } from './fal/generate.js';
import { falLegacySource } from './fal/legacy-server.js';
import { startFalLive } from './fal/live.js';
import type { FalLiveTenant } from './fal/live.js';
import { falSource } from './fal/server.js';
import { FalStore } from './fal/store.js';
import { OpenStreams } from './fal/stream.js';
import { CallLog } from './http/calls.js';
import { FaultBook } from './http/faults.js';
import { listen, shutdown } from './http/listen.js';
import { createSourceServer, describeRoutes } from './http/source-server.js';
import type { Emulator, EmulatorOptions } from './types.js';

export type {
  CallFilter,
  Emulator,
  EmulatorRoute,
  EmulatorOptions,
  Fault,
  LiveOptions,
  RecordedCall,
  Route,
  Source,
} from './types.js';
export type { FalStore } from './fal/store.js';
export type {
  FalApp,
  FalLogLine,
  FalLogLineInput,
  FalRequestItem,
  FalRequestRecord,
} from './fal/wire.js';
export type { DifyStore } from './dify/store.js';
export type {
  DifyAccount,
  DifyEndUser,
  DifyLogRow,
  DifyRunDetail,
  DifyRunSpec,
  DifyRunStatus,
  DifyRunSummary,
} from './dify/wire.js';

/** Keys of the two demo tenants: 'demo' and a smaller 'other'. */
export const DEMO_KEYS: { fal: string; falOther: string; dify: string; difyOther: string } = {
  fal: 'demo-fal-key:demo-fal-secret',
  falOther: 'other-fal-key:other-fal-secret',
  dify: 'app-demo-workflow-key',
  difyOther: 'app-other-workflow-key',
};

/** Starts local fal (v1 and legacy logs) and Dify servers over deterministic generated data. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 42;
  const generation = { seed, anchor: options.anchor ?? now(), scale: options.scale ?? 1 };
  const falKeys = options.falKeys ?? { [DEMO_KEYS.fal]: 'demo', [DEMO_KEYS.falOther]: 'other' };
  const difyKeys = options.difyKeys ?? { [DEMO_KEYS.dify]: 'demo', [DEMO_KEYS.difyOther]: 'other' };

  const fal = new FalStore(now);
  const falTenants = new Map<string, FalLiveTenant>();
  for (const tenant of new Set(Object.values(falKeys))) {
    const { data, deployed, weight } = generateFal({ ...generation, tenant });
    fal.addTenant(tenant, data);
    falTenants.set(tenant, { deployed, weight });
  }
  const dify = new DifyStore(now);
  const difyTenants = [...new Set(Object.values(difyKeys))];
  for (const tenant of difyTenants) dify.addTenant(tenant, generateDify({ ...generation, tenant }));

  const calls = new CallLog();
  const faults = new FaultBook();
  const streams = new OpenStreams();
  const keepAliveMs = options.sseKeepAliveMs ?? 15_000;
  const falSpec = falSource({ store: fal, keys: falKeys, now, streams, keepAliveMs });
  const difySpec = difySource(dify, difyKeys);
  const falLegacySpec = falLegacySource(fal, falKeys, now);
  const servers = [
    createSourceServer(falSpec, calls, faults),
    createSourceServer(difySpec, calls, faults),
    createSourceServer(falLegacySpec, calls, faults),
  ] as const;
  let falConnections = 0;
  servers[0].on('connection', () => (falConnections += 1));
  const close = () => Promise.all(servers.map(shutdown)).then(() => undefined);
  const host = options.host ?? '127.0.0.1';
  const [falUrl, difyUrl, falLegacyUrl] = await Promise.all([
    listen(servers[0], host, options.falPort ?? 0),
    listen(servers[1], host, options.difyPort ?? 0),
    listen(servers[2], host, options.falLegacyPort ?? 0, ''),
  ]).catch(async (error: unknown) => {
    await close();
    throw error;
  });

  const live = options.live;
  const stops = live
    ? [
        startFalLive(fal, falTenants, { seed, now, linesPerSecond: live.falLinesPerSecond ?? 4 }),
        startDifyLive(dify, difyTenants, { seed, runsPerMinute: live.difyRunsPerMinute ?? 6 }),
      ]
    : [];

  return {
    falUrl,
    falLegacyUrl,
    difyUrl,
    routes: [
      ...describeRoutes(falSpec, falUrl),
      ...describeRoutes(difySpec, difyUrl),
      ...describeRoutes(falLegacySpec, falLegacyUrl),
    ],
    calls: (filter) => calls.list(filter),
    resetCalls: () => calls.reset(),
    setFault: (route, fault) => faults.set(route, fault),
    clearFaults: () => faults.clear(),
    openStreams: () => streams.size,
    falConnections: () => falConnections,
    inFlight: () => calls.inFlight,
    peakInFlight: () => calls.peakInFlight,
    fal,
    dify,
    async close() {
      for (const stop of stops) stop();
      streams.endAll();
      await close();
    },
  };
}
