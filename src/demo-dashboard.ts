import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { z } from 'zod';
import { SettingError, settingProblems } from './startup.js';

/** Where `npm run build -w examples/dashboard` puts the dashboard, from `src/` and `dist/` alike. */
export const DASHBOARD_DIST = fileURLToPath(
  new URL('../examples/dashboard/dist/', import.meta.url),
);

/** What the dashboard reads from its `config.json` at start (see examples/dashboard/src/settings.ts). */
export interface DashboardConfig {
  gatewayUrl: string;
  falKey: string;
  difyKey: string;
  apps: string[];
}

export interface DashboardServer {
  url: string;
  /** The origins a browser shows the dashboard under: the gateway's `CORS_ORIGINS` needs them. */
  origins: string[];
  /** Sets what `config.json` answers; until then it answers 503. */
  configure(config: DashboardConfig): void;
  close(): Promise<void>;
}

const settingsSchema = z.object({
  DASHBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
});

/** The demo's own settings; a bad value throws a SettingError naming it. */
export function dashboardSettings(env: Record<string, string | undefined> = process.env) {
  const parsed = settingsSchema.safeParse({ DASHBOARD_PORT: env.DASHBOARD_PORT || undefined });
  if (!parsed.success) throw new SettingError(settingProblems(parsed.error.issues, env));
  return parsed.data;
}

/** Answers every page while the dashboard has not been built, saying how to build it. */
function notBuilt(_request: IncomingMessage, response: ServerResponse) {
  response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('The dashboard is not built: run `npm run build -w examples/dashboard`.\n');
}

/**
 * Serves the built dashboard and a `config.json` naming the gateway (and, in the demo, its
 * keys), on a port of its own: the page then calls the gateway cross-origin, as it would in a
 * real deployment. `built` is false when there is nothing to serve yet (the port is still held).
 */
export async function serveDashboard(
  host: string,
  port: number,
): Promise<DashboardServer & { built: boolean }> {
  const built = existsSync(DASHBOARD_DIST);
  let config: DashboardConfig | undefined;
  const files = built ? sirv(DASHBOARD_DIST, { etag: true }) : notBuilt;
  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] !== '/config.json') return files(request, response);
    response.writeHead(config ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(config ?? {}));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const hosts = host === '127.0.0.1' ? [host, 'localhost'] : [host];
  const origins = hosts.map((name) => `http://${name.includes(':') ? `[${name}]` : name}:${bound}`);
  return {
    built,
    url: `${origins[0]}/`,
    origins,
    configure: (next) => (config = next),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
