import { startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';

const SCRIPT = new URL('./cached-upstream.mjs', import.meta.url).pathname;

export interface CachedUpstreamProcess extends NodeProcess {
  falUrl: string;
  difyUrl: string;
}

/**
 * `bench/cached-upstream.mjs` in front of the emulator's fal and Dify APIs: each distinct call
 * reaches the emulator once, and is answered from memory from then on.
 */
export async function startCachedUpstreamProcess(upstreams: {
  falUrl: string;
  difyUrl: string;
}): Promise<CachedUpstreamProcess> {
  const origin = (url: string) => new URL(url).origin;
  const cached = await startNodeProcess({
    args: [SCRIPT],
    env: { ORIGINS: [origin(upstreams.falUrl), origin(upstreams.difyUrl)].join(',') },
    ready: /at (http:\/\/\S+)\n.* at (http:\/\/\S+)\nready/,
  });
  // The cache speaks for the whole origin: the base URLs keep their paths.
  const rebase = (url: string, cache: string) => cache + new URL(url).pathname.replace(/\/$/, '');
  return {
    ...cached,
    falUrl: rebase(upstreams.falUrl, cached.banner[1]!),
    difyUrl: rebase(upstreams.difyUrl, cached.banner[2]!),
  };
}
