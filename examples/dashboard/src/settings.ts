/** The gateway the dashboard reads from and the keys it sends there. */
export interface Connection {
  gatewayUrl: string;
  falKey: string;
  difyKey: string;
}

/** `config.json` beside `index.html`: what the page starts with (the demo adds its keys). */
export interface Defaults extends Connection {
  /** fal apps (`owner/name`) the filters start with; fal requests need at least one. */
  apps: string[];
}

const STORAGE_KEY = 'logs-dashboard.connection';

export async function loadDefaults(): Promise<Defaults> {
  const response = await fetch('./config.json', { cache: 'no-store' }).catch(() => undefined);
  const file = (response?.ok ? await response.json() : {}) as Partial<Defaults>;
  return {
    gatewayUrl: file.gatewayUrl ?? 'http://127.0.0.1:4000',
    falKey: file.falKey ?? '',
    difyKey: file.difyKey ?? '',
    apps: file.apps ?? [],
  };
}

/**
 * What was entered in this tab, else the defaults. Keys live in sessionStorage only: they go
 * when the tab closes, and nowhere but to the gateway in the meantime.
 */
export function storedConnection(defaults: Connection): Connection {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored ? { ...defaults, ...(JSON.parse(stored) as Partial<Connection>) } : defaults;
}

export function storeConnection(connection: Connection): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(connection));
}

/** The gateway's headers for each source's key; a source without a key gets none. */
export function keyHeaders({ falKey, difyKey }: Connection): Record<string, string> {
  return {
    ...(falKey && { 'X-Fal-Authorization': `Key ${falKey}` }),
    ...(difyKey && { 'X-Dify-Authorization': `Bearer ${difyKey}` }),
  };
}
