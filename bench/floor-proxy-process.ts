import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const SCRIPT = new URL('./floor-proxy.ts', import.meta.url).pathname;

export interface FloorProxyProcess extends NodeProcess {
  url: string;
}

export async function startFloorProxyProcess(
  upstreams: { falUrl: string; difyUrl: string },
  nodeArgs: string[] = [],
): Promise<FloorProxyProcess> {
  const floor = await startNodeProcess({
    args: [...nodeArgs, '--import', 'tsx', SCRIPT],
    env: { PORT: '0', FAL_API_URL: upstreams.falUrl, DIFY_API_URL: upstreams.difyUrl },
    ready: /listening on (http:\/\/\S+)\/graphql/,
  });
  return { ...floor, url: floor.banner[1]! };
}
