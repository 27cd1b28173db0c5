import { request } from 'undici';
import { loadConfig } from '../../src/config.js';
import {
  DEMO_KEYS,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RecordedCall,
} from '../../src/emulator/index.js';
import { parseInstant } from '../../src/time.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server.js';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data | null;
  errors?: Array<{
    message: string;
    path?: Array<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface Stack {
  emulator: Emulator;
  gateway: Gateway;
  url: string;
  graphql<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/** A fal logs backend the gateway can serve fal logs from, and its emulated route. */
export interface FalBackend {
  api: 'v1' | 'legacy';
  /** The emulator's route for one read of log history. */
  historyRoute: 'logs.history' | 'logs.legacy';
  /** The window `[start, end)` one read of history asked for, in epoch microseconds. */
  windowOf(call: RecordedCall): { start: number; end: number };
  /** Whether a live tail is following the upstream: a stream open, or a first poll made. */
  isTailing(emulator: Emulator): boolean;
}

const instantParam = (call: RecordedCall, name: string) =>
  parseInstant(call.query[name]?.[0] ?? '')?.micros ?? Number.NaN;

/** Both fal logs backends: the suites of fal log features run over each. */
export const FAL_BACKENDS: readonly FalBackend[] = [
  {
    api: 'v1',
    historyRoute: 'logs.history',
    windowOf: (call) => ({ start: instantParam(call, 'start'), end: instantParam(call, 'end') }),
    isTailing: (emulator) => emulator.openStreams() === 1,
  },
  {
    api: 'legacy',
    historyRoute: 'logs.legacy',
    // Both of the legacy API's bounds are exclusive.
    windowOf: (call) => ({
      start: instantParam(call, 'since') + 1,
      end: instantParam(call, 'until'),
    }),
    isTailing: (emulator) => emulator.calls({ route: 'logs.legacy' }).length > 0,
  },
];

export const FAL_AUTH = { authorization: `Key ${DEMO_KEYS.fal}` };
export const DIFY_AUTH = { authorization: `Bearer ${DEMO_KEYS.dify}` };

/** Both demo keys, each in its source's own header. */
export const BOTH_KEYS = {
  'x-fal-authorization': FAL_AUTH.authorization,
  'x-dify-authorization': DIFY_AUTH.authorization,
};

/** The emulators and a gateway pointed at them, both on loopback. */
export async function startStack(
  options: {
    emulator?: EmulatorOptions;
    env?: Record<string, string>;
    gateway?: GatewayOptions;
    /** The fal logs backend (`FAL_LOGS_API`), pointed at the emulator's. */
    falLogsApi?: FalBackend['api'];
  } = {},
): Promise<Stack> {
  const emulator = await startEmulator({ seed: 7, scale: 0.25, ...options.emulator });
  const config = loadConfig({
    FAL_API_URL: emulator.falUrl,
    DIFY_API_URL: emulator.difyUrl,
    FAL_LEGACY_API_URL: emulator.falLegacyUrl,
    FAL_LOGS_API: options.falLogsApi ?? 'v1',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const gateway = createGateway(config, options.gateway);
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    emulator,
    gateway,
    url,
    async graphql(query, variables, headers = FAL_AUTH) {
      const response = await request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.body.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.statusCode, ...body } as GraphQLResponse<never>;
    },
    async close() {
      await gateway.close();
      await emulator.close();
    },
  };
}
