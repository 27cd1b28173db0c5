import { request } from 'undici';
import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const MAIN = new URL('../dist/emulator/main.js', import.meta.url).pathname;

export interface EmulatorProcessOptions {
  /** Epoch ms the generated history ends at. */
  anchor: number;
  scale?: number;
}

export interface EmulatorProcess extends NodeProcess {
  falUrl: string;
  falLegacyUrl: string;
  difyUrl: string;
  /** Upstream calls received since the last reset. */
  calls(): Promise<number>;
  /** The same, by route (`logs.stream`, `logs.legacy`, …). */
  callsByRoute(): Promise<Record<string, number>>;
  resetCalls(): Promise<void>;
  openStreams(): Promise<number>;
  /** Delays every answer from now on by `ms`, as a distant upstream would; 0 clears it. */
  setLatency(ms: number): Promise<void>;
  /** Appends `bench <sequence> <epoch ms>` lines to the demo tenant at a steady rate; resolves when done. */
  appendTimedLines(perSecond: number, seconds: number): Promise<void>;
  /** Inserts a running Dify workflow run in the demo tenant; resolves to its log row's id. */
  insertDifyRun(): Promise<string>;
}

/** Runs the compiled emulator in its own process with live data off and its control routes on. */
export async function startEmulatorProcess(
  options: EmulatorProcessOptions,
): Promise<EmulatorProcess> {
  const emulator = await startNodeProcess({
    args: [MAIN],
    env: {
      EMULATOR_LIVE: 'false',
      EMULATOR_CONTROL: '1',
      EMULATOR_FAL_PORT: '0',
      EMULATOR_FAL_LEGACY_PORT: '0',
      EMULATOR_DIFY_PORT: '0',
      EMULATOR_CONTROL_PORT: '0',
      EMULATOR_ANCHOR: String(options.anchor),
      EMULATOR_SCALE: String(options.scale ?? 1),
    },
    ready:
      /fal\s+(http\S+)[\s\S]*fal legacy logs\s+(http\S+)[\s\S]*Dify\s+(http\S+)[\s\S]*control\s+(http\S+)/,
  });
  const [, falUrl = '', falLegacyUrl = '', difyUrl = '', controlUrl = ''] = emulator.banner;
  const control = async (method: 'GET' | 'POST', path: string): Promise<unknown> => {
    const response = await request(`${controlUrl}${path}`, { method, headersTimeout: 0 });
    if (response.statusCode !== 200)
      throw new Error(`emulator control ${path}: ${response.statusCode}`);
    return response.body.json();
  };
  return {
    ...emulator,
    falUrl,
    falLegacyUrl,
    difyUrl,
    calls: async () => ((await control('GET', '/calls')) as { calls: number }).calls,
    callsByRoute: async () =>
      ((await control('GET', '/calls')) as { byRoute: Record<string, number> }).byRoute,
    resetCalls: async () => void (await control('POST', '/calls/reset')),
    openStreams: async () => ((await control('GET', '/streams')) as { open: number }).open,
    setLatency: async (ms) => void (await control('POST', `/latency?ms=${ms}`)),
    appendTimedLines: async (perSecond, seconds) =>
      void (await control('POST', `/fal/lines?perSecond=${perSecond}&seconds=${seconds}`)),
    insertDifyRun: async () => ((await control('POST', '/dify/runs')) as { logId: string }).logId,
  };
}
