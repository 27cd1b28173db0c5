import { DEMO_KEYS } from '../src/emulator/index.js';
import { startEmulatorProcess } from './emulator-process.js';
import type { EmulatorProcess } from './emulator-process.js';
import { startGatewayProcess } from './gateway-process.js';
import type { GatewayProcess } from './gateway-process.js';
import type { BenchWindow } from './operations.js';
import type { Settings } from './settings.js';

const DAY_MS = 86_400_000;

/** What every scenario shares: the settings, one emulator process and its data's time window. */
export interface BenchContext {
  settings: Settings;
  emulator: EmulatorProcess;
  /** The 24 hours before the emulator's anchor: every query of the suite reads this window. */
  window: BenchWindow;
  falHeaders: Record<string, string>;
  difyHeaders: Record<string, string>;
  /**
   * A fresh gateway process pointed at the emulator; `nodeArgs` go before the script, and `env`
   * adds to its settings.
   */
  startGateway(nodeArgs?: string[], env?: Record<string, string>): Promise<GatewayProcess>;
}

export async function createContext(settings: Settings): Promise<BenchContext> {
  // A whole minute, so that the window's ISO bounds read the same on every upstream.
  const anchor = Math.floor(Date.now() / 60_000) * 60_000;
  const emulator = await startEmulatorProcess({ anchor });
  return {
    settings,
    emulator,
    window: {
      since: new Date(anchor - DAY_MS).toISOString(),
      until: new Date(anchor).toISOString(),
    },
    falHeaders: { 'content-type': 'application/json', authorization: `Key ${DEMO_KEYS.fal}` },
    difyHeaders: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_KEYS.dify}` },
    startGateway: (nodeArgs = [], env = {}) =>
      startGatewayProcess(
        {
          FAL_API_URL: emulator.falUrl,
          FAL_LEGACY_API_URL: emulator.falLegacyUrl,
          DIFY_API_URL: emulator.difyUrl,
          // The live-tail scenario opens thousands of subscriptions with one key from one address.
          MAX_SUBSCRIPTIONS_PER_CLIENT: '1000000',
          ...env,
        },
        nodeArgs,
      ),
  };
}
