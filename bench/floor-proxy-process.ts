import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';
import type { UpstreamCall } from './upstream-calls.js';

const SCRIPT = new URL('./lean-floor.mjs', import.meta.url).pathname;

export interface FloorProxyProcess extends NodeProcess {
  url: string;
}

/** The lean floor proxy (`bench/lean-floor.mjs`), run by `node` alone, making `calls` upstream. */
export async function startFloorProxyProcess(
  upstreams: { falUrl: string; difyUrl: string },
  calls: { fal: UpstreamCall; dify: UpstreamCall },
  nodeArgs: string[] = [],
): Promise<FloorProxyProcess> {
  const floor = await startNodeProcess({
    args: [...nodeArgs, SCRIPT],
    env: {
      PORT: '0',
      FAL_API_URL: upstreams.falUrl,
      DIFY_API_URL: upstreams.difyUrl,
      FAL_CALL: JSON.stringify(calls.fal),
      DIFY_CALL: JSON.stringify(calls.dify),
    },
    ready: /listening on (http:\/\/\S+)\/graphql/,
  });
  return { ...floor, url: floor.banner[1]! };
}
