import { readFileSync } from 'node:fs';
import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const DOCKERFILE = new URL('../Dockerfile', import.meta.url);

export interface GatewayProcess extends NodeProcess {
  url: string;
}

/** The Node flags the production image starts the gateway with: those of the Dockerfile's `CMD`. */
export function productionNodeFlags(): string[] {
  const command = /^CMD (\[.*\])$/m.exec(readFileSync(DOCKERFILE, 'utf8'));
  if (!command) throw new Error('the Dockerfile has no CMD in exec form');
  const [, ...args] = JSON.parse(command[1]!) as string[];
  return args.slice(0, args.indexOf('dist/main.js'));
}

/**
 * Runs the compiled gateway (`npm run build` first) in its own process, as in production: with
 * the image's Node flags, then `nodeArgs`.
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const gateway = await startNodeProcess({
    args: [...productionNodeFlags(), ...nodeArgs, MAIN],
    env: { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    ready: /listening on (http:\/\/\S+)\/graphql/,
  });
  return { ...gateway, url: gateway.banner[1]! };
}
