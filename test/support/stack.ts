import { request } from 'undici';
import { loadConfig } from '../../src/config.js';
import {
  DEMO_KEYS,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../../src/emulator/index.js';
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

export const FAL_AUTH = { authorization: `Key ${DEMO_KEYS.fal}` };
export const DIFY_AUTH = { authorization: `Bearer ${DEMO_KEYS.dify}` };

/** The emulators and a gateway pointed at them, both on loopback. */
export async function startStack(
  options: {
    emulator?: EmulatorOptions;
    env?: Record<string, string>;
    gateway?: GatewayOptions;
    /** The fal logs API the gateway reads (`FAL_LOGS_API`), served by this emulator either way. */
    falLogsApi?: 'v1' | 'legacy';
  } = {},
): Promise<Stack> {
  const emulator = await startEmulator({ seed: 7, scale: 0.25, ...options.emulator });
  const config = loadConfig({
    FAL_API_URL: emulator.falUrl,
    DIFY_API_URL: emulator.difyUrl,
    LOG_LEVEL: 'silent',
    FAL_LOGS_API: options.falLogsApi ?? 'v1',
    FAL_LEGACY_API_URL: emulator.falLegacyUrl,
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
