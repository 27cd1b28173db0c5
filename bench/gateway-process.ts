import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

export interface GatewayProcess extends NodeProcess {
  url: string;
}

/** Runs the compiled gateway (`npm run build` first) in its own process, as in production. */
export async function startGatewayProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const gateway = await startNodeProcess({
    args: [...nodeArgs, MAIN],
    env: { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    ready: /listening on (http:\/\/\S+)\/graphql/,
  });
  return { ...gateway, url: gateway.banner[1]! };
}
