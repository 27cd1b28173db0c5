/**
 * Live tail at scale: memory per open subscription in the gateway process and delivery latency
 * from the moment the emulator emits a line to the moment a graphql-sse client receives it.
 *
 *   npm run build && npx tsx bench/live-tail.ts [subscriptions=1000] [linesPerSecond=20] [seconds=10]
 *
 * The gateway runs compiled in its own process; the emulator and the clients (one graphql-sse
 * client per subscription, distinct-connections mode, as browsers use it) share this process,
 * so the latency includes their work too.
 */
import { createClient } from 'graphql-sse';
import { DEMO_KEYS, startEmulator } from '../src/emulator/index.js';
import { startGatewayProcess } from './gateway-process.js';
import { machineLine, percentile, table } from './stats.js';

const [subscriptions = 1000, linesPerSecond = 20, seconds = 10] = process.argv.slice(2).map(Number);

const waitUntil = async (condition: () => boolean, what: string, timeoutMs = 60_000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
};
const now = () => performance.timeOrigin + performance.now();

const emulator = await startEmulator({ scale: 0.05 });
const gateway = await startGatewayProcess(
  { FAL_API_URL: emulator.falUrl, DIFY_API_URL: emulator.difyUrl },
  process.env.CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROFILE_DIR}`]
    : [],
);
const headers = { authorization: `Key ${DEMO_KEYS.fal}` };

// Warm the gateway up (JIT, pools) before the baseline reading.
for (let i = 0; i < 20; i += 1) {
  await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ falLogs(first: 20) { edges { node { message } } } }' }),
  });
}
await new Promise((resolve) => setTimeout(resolve, 1_000));
const rssBefore = gateway.rss();

const latencies: number[] = [];
let received = 0;
const clients = Array.from({ length: subscriptions }, () =>
  createClient({
    url: `${gateway.url}/graphql`,
    headers: () => ({ ...headers }),
    retryAttempts: 0,
  }),
);
const disposers = clients.map((client) =>
  client.subscribe<{ falLogs: { message: string } }>(
    { query: 'subscription { falLogs { message } }' },
    {
      next: ({ data }) => {
        const emitted = Number(data?.falLogs.message.split(' ')[2]);
        latencies.push(now() - emitted);
        received += 1;
      },
      error: (error) => console.error('subscription error', error),
      complete: () => undefined,
    },
  ),
);
const openMs = await waitUntil(() => emulator.openStreams() === subscriptions, 'all streams');
await new Promise((resolve) => setTimeout(resolve, 2_000));
const rssOpen = gateway.rss();

const total = linesPerSecond * seconds;
for (let sequence = 0; sequence < total; sequence += 1) {
  await new Promise((resolve) => setTimeout(resolve, 1000 / linesPerSecond));
  emulator.fal.appendLines('demo', [{ message: `bench ${sequence} ${now()}` }]);
}
await waitUntil(
  () => received >= total * subscriptions,
  'every line at every client',
  30_000,
).catch((error: Error) => console.error(error.message));
const rssAfter = gateway.rss();

disposers.forEach((dispose) => dispose());
clients.forEach((client) => client.dispose());
const closeMs = await waitUntil(() => emulator.openStreams() === 0, 'streams to close');

latencies.sort((a, b) => a - b);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(`live tail benchmark — ${machineLine()}`);
console.log(`${subscriptions} subscriptions, ${linesPerSecond} lines/s for ${seconds} s\n`);
console.log(
  table([
    {
      subscriptions,
      'rss before (MiB)': mib(rssBefore),
      'rss open (MiB)': mib(rssOpen),
      'rss after lines (MiB)': mib(rssAfter),
      'KiB / subscription': ((rssOpen - rssBefore) / subscriptions / 1024).toFixed(1),
      'open all (ms)': openMs,
      delivered: `${received}/${total * subscriptions}`,
      'p50 (ms)': percentile(latencies, 50).toFixed(1),
      'p99 (ms)': percentile(latencies, 99).toFixed(1),
      'max (ms)': (latencies.at(-1) ?? Number.NaN).toFixed(1),
      'upstream closed after (ms)': closeMs,
    },
  ]),
);

await gateway.stop();
await emulator.close();
