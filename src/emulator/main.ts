import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOrExit, settingsOrExit } from '../startup.js';
import { listen, shutdown } from './http/listen.js';
import { DEMO_KEYS, startEmulator } from './index.js';
import type { Emulator, EmulatorRoute, Route } from './index.js';
import { emulatorSettings } from './settings.js';

const ROUTES: readonly Route[] = [
  'logs.history',
  'logs.stream',
  'logs.legacy',
  'requests.byEndpoint',
  'workflows.logs',
  'workflows.run',
];

/** Each route's query and path parameters in a ready call, over the demo tenant's data. */
const EXAMPLES: Record<Route, (target: Emulator) => { query?: string; id?: string }> = {
  'logs.history': () => ({ query: 'limit=3' }),
  'logs.legacy': () => ({
    query: `limit=3&since=${new Date(Date.now() - 86_400_000).toISOString()}`,
  }),
  // Without `start` the stream replays the last 24 hours first.
  'logs.stream': () => ({ query: `start=${new Date().toISOString()}` }),
  'requests.byEndpoint': (target) => ({
    query: `endpoint_id=${target.fal.apps('demo')[0]?.id ?? 'owner/app'}&limit=3`,
  }),
  'apps.list': () => ({ query: 'expand=endpoints' }),
  'workflows.logs': () => ({ query: 'limit=3' }),
  'workflows.run': (target) => ({
    id: target.dify.logs('demo').find((row) => row.workflow_run)?.workflow_run?.id,
  }),
};

/**
 * Environment: EMULATOR_FAL_PORT (4010), EMULATOR_FAL_LEGACY_PORT (4011, fal's legacy logs
 * API), EMULATOR_DIFY_PORT (4020), EMULATOR_SEED, EMULATOR_LIVE (`false` turns live data off),
 * EMULATOR_SCALE, EMULATOR_ANCHOR (epoch ms the generated history ends at) and EMULATOR_CONTROL
 * (`1` serves the control routes below on EMULATOR_CONTROL_PORT, for benchmarks that run the
 * emulator in a process of its own).
 */
const settings = settingsOrExit(() => emulatorSettings());
const ports = {
  EMULATOR_FAL_PORT: settings.EMULATOR_FAL_PORT ?? 4010,
  EMULATOR_DIFY_PORT: settings.EMULATOR_DIFY_PORT ?? 4020,
  EMULATOR_FAL_LEGACY_PORT: settings.EMULATOR_FAL_LEGACY_PORT ?? 4011,
  EMULATOR_CONTROL_PORT: settings.EMULATOR_CONTROL_PORT,
};
const live = settings.EMULATOR_LIVE;

const { emulator, control, controlUrl } = await listenOrExit(async () => {
  const emulator = await startEmulator({
    live: live ? {} : false,
    falPort: ports.EMULATOR_FAL_PORT,
    difyPort: ports.EMULATOR_DIFY_PORT,
    falLegacyPort: ports.EMULATOR_FAL_LEGACY_PORT,
    seed: settings.EMULATOR_SEED,
    scale: settings.EMULATOR_SCALE,
    anchor: settings.EMULATOR_ANCHOR,
  });
  if (!settings.EMULATOR_CONTROL) return { emulator };
  const control = createControlServer(emulator);
  const base = await listen(control, '127.0.0.1', ports.EMULATOR_CONTROL_PORT).catch(
    async (error: unknown) => {
      await emulator.close();
      throw error;
    },
  );
  return { emulator, control, controlUrl: new URL('/_control', base) };
}, ports);

console.log(`fal and Dify emulators (live data ${live ? 'on' : 'off'})

  fal   ${emulator.falUrl}   Authorization: Key ${DEMO_KEYS.fal}
                                   other tenant: Key ${DEMO_KEYS.falOther}
  fal legacy logs  ${emulator.falLegacyUrl}   (POST /logs/, same keys and lines as fal)
  Dify  ${emulator.difyUrl}   Authorization: Bearer ${DEMO_KEYS.dify}
                                   other tenant: Bearer ${DEMO_KEYS.difyOther}
${controlUrl ? `  control ${controlUrl.href}\n` : ''}
Routes, each with a call to try:
${emulator.routes.map((route) => `  ${route.method.padEnd(4)} ${route.url}\n    ${exampleCall(emulator, route)}`).join('\n')}

Ctrl+C stops them.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([emulator.close(), control && shutdown(control)]).then(() => process.exit(0));
  });
}

function exampleCall(target: Emulator, route: EmulatorRoute): string {
  const { query, id } = EXAMPLES[route.route](target);
  const url = route.url.replace(/\{\w+\}/, id ?? 'ID') + (query ? `?${query}` : '');
  const authorization =
    route.source === 'fal' ? `Key ${DEMO_KEYS.fal}` : `Bearer ${DEMO_KEYS.dify}`;
  const options = route.route === 'logs.stream' ? '-sN' : '-s';
  const method = route.method === 'GET' ? '' : ` -X ${route.method}`;
  return `curl ${options}${method} '${url}' -H 'Authorization: ${authorization}'`;
}

/**
 * Control routes for benchmarks:
 * - `GET /_control/calls`: upstream calls received since the last reset, in all and by route;
 * - `POST /_control/calls/reset`;
 * - `GET /_control/streams`: open live log streams;
 * - `POST /_control/latency?ms=20`: delays every later answer of every route by that much, as a
 *   distant upstream would (`ms=0` clears it);
 * - `POST /_control/fal/lines?tenant=demo&perSecond=20&seconds=10`: appends lines whose message
 *   is `bench <sequence> <epoch ms at emission>` at a steady rate, and answers once done;
 * - `POST /_control/dify/runs?tenant=demo`: inserts one running Dify workflow run now, and
 *   answers with its log row's id.
 */
function createControlServer(target: Emulator): Server {
  return createServer((req, res) => {
    answerControl(target, req).then(
      (body) => sendControl(res, body === undefined ? 404 : 200, body ?? { error: 'not found' }),
      (error: unknown) => sendControl(res, 500, { error: String(error) }),
    );
  });
}

async function answerControl(target: Emulator, req: IncomingMessage): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://control');
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /_control/calls') {
    const calls = target.calls();
    const byRoute: Record<string, number> = {};
    for (const call of calls) byRoute[call.route] = (byRoute[call.route] ?? 0) + 1;
    return { calls: calls.length, byRoute };
  }
  if (route === 'POST /_control/calls/reset') {
    target.resetCalls();
    return {};
  }
  if (route === 'GET /_control/streams') return { open: target.openStreams() };
  if (route === 'POST /_control/latency') {
    const latencyMs = Number(url.searchParams.get('ms') ?? 0);
    target.clearFaults();
    if (latencyMs > 0) for (const name of ROUTES) target.setFault(name, { latencyMs });
    return { latencyMs };
  }
  if (route === 'POST /_control/fal/lines') {
    const tenant = url.searchParams.get('tenant') ?? 'demo';
    const perSecond = Number(url.searchParams.get('perSecond') ?? 20);
    const seconds = Number(url.searchParams.get('seconds') ?? 10);
    return { appended: await appendTimedLines(target, tenant, perSecond, seconds) };
  }
  if (route === 'POST /_control/dify/runs') {
    const tenant = url.searchParams.get('tenant') ?? 'demo';
    const [row] = target.dify.insertRuns(tenant, [{ status: 'running', orphaned: false }]);
    return { logId: row!.id };
  }
  return undefined;
}

/** Appends on a fixed schedule, so a late timer does not slow the rate down. */
async function appendTimedLines(
  target: Emulator,
  tenant: string,
  perSecond: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  for (let sequence = 0; sequence < total; sequence += 1) {
    await sleep(Math.max(0, started + (sequence * 1000) / perSecond - performance.now()));
    const emittedAt = performance.timeOrigin + performance.now();
    target.fal.appendLines(tenant, [{ message: `bench ${sequence} ${emittedAt}` }]);
  }
  return total;
}

function sendControl(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
