import { rssOf } from './node-process.js';

/** Polls a process's resident set size until stopped; resolves to the highest reading. */
export function sampleRss(pid: number, intervalMs = 5): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}
