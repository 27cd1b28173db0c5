import { ANY_ISO, isoFromMs, parseMicros } from '../time.js';
import type { FalApp, FalLogLine, FalLogLineInput, FalRequestRecord } from './wire.js';

/** A stored line with its sort key: timestamp in microseconds, then insertion sequence. */
export interface LineEntry {
  seq: number;
  micros: number;
  line: FalLogLine;
  traceback: string | undefined;
}

export interface FalTenantData {
  owner: string;
  apps: FalApp[];
  requests: FalRequestRecord[];
  /** Lines in emission order; equal timestamps keep it as their insertion order. */
  lines: FalLogLineInput[];
}

interface Tenant {
  owner: string;
  apps: FalApp[];
  requests: FalRequestRecord[];
  /** Newest first: timestamp descending, then insertion sequence descending. */
  entries: LineEntry[];
}

type AppendListener = (entry: LineEntry) => void;

export class FalStore {
  #tenants = new Map<string, Tenant>();
  #listeners = new Map<string, Set<AppendListener>>();
  #seq = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  addTenant(name: string, data: FalTenantData): void {
    const requests = [...data.requests].sort(bySentAtDescending);
    const tenant: Tenant = { owner: data.owner, apps: data.apps, requests, entries: [] };
    this.#tenants.set(name, tenant);
    tenant.entries = data.lines.map((input) => this.#entry(tenant, input));
    tenant.entries.sort((a, b) => b.micros - a.micros || b.seq - a.seq);
  }

  /** Every stored line, newest first, in the order history returns them. */
  lines(tenant: string): readonly FalLogLine[] {
    return this.#tenant(tenant).entries.map((entry) => entry.line);
  }

  /** Entries newest first; the query routes read this directly. */
  entries(tenant: string): readonly LineEntry[] {
    return this.#tenant(tenant).entries;
  }

  /**
   * Stores lines (given fields verbatim; missing ones default to the tenant's first app,
   * level info and a timestamp of now) and pushes them to open streams.
   */
  appendLines(tenant: string, inputs: readonly FalLogLineInput[]): FalLogLine[] {
    const target = this.#tenant(tenant);
    return inputs.map((input) => {
      const entry = this.#entry(target, input);
      target.entries.splice(insertionIndex(target.entries, entry.micros), 0, entry);
      for (const listener of this.#listeners.get(tenant) ?? []) listener(entry);
      return entry.line;
    });
  }

  /** Stored requests, most recently sent first, with payloads and billing. */
  requests(tenant: string): readonly FalRequestRecord[] {
    return this.#tenant(tenant).requests;
  }

  /** Adds a request or replaces the one with the same request_id. */
  upsertRequest(tenant: string, request: FalRequestRecord): void {
    const { requests } = this.#tenant(tenant);
    const existing = requests.findIndex((item) => item.request_id === request.request_id);
    if (existing >= 0) requests.splice(existing, 1);
    const index = requests.findIndex((item) => bySentAtDescending(request, item) < 0);
    requests.splice(index < 0 ? requests.length : index, 0, request);
  }

  apps(tenant: string): readonly FalApp[] {
    return this.#tenant(tenant).apps;
  }

  /** The owner in the tenant's '<owner>/<name>' app ids. */
  owner(tenant: string): string {
    return this.#tenant(tenant).owner;
  }

  subscribe(tenant: string, listener: AppendListener): () => void {
    const listeners = this.#listeners.get(tenant) ?? new Set<AppendListener>();
    this.#listeners.set(tenant, listeners);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  #tenant(name: string): Tenant {
    const tenant = this.#tenants.get(name);
    if (!tenant) throw new Error(`Unknown fal tenant '${name}'`);
    return tenant;
  }

  #entry(tenant: Tenant, input: FalLogLineInput): LineEntry {
    const { traceback, ...given } = input;
    const app = tenant.apps[0];
    const timestamp = given.timestamp ?? isoFromMs(this.#now());
    const revision = given.revision ?? app?.revisions.at(-1) ?? '';
    const line: FalLogLine = {
      timestamp,
      level: given.level ?? 'info',
      message: given.message ?? '',
      app: given.app ?? app?.name ?? '',
      revision,
      labels: given.labels ?? {
        fal_app_name: app?.name ?? '',
        fal_app_id: revision,
        fal_env: 'prod',
        source: 'grpc-run',
        logged_at: timestamp,
      },
    };
    const micros = parseMicros(timestamp, ANY_ISO);
    if (micros === undefined) throw new Error(`Unparseable fal log timestamp '${timestamp}'`);
    return { seq: ++this.#seq, micros, line, traceback };
  }
}

function bySentAtDescending(a: FalRequestRecord, b: FalRequestRecord): number {
  return Date.parse(b.sent_at) - Date.parse(a.sent_at);
}

/** Where a new entry goes: before every entry with the same or an older timestamp. */
function insertionIndex(entries: readonly LineEntry[], micros: number): number {
  return firstIndex(entries, (entry) => entry.micros <= micros);
}

/** First index of entries older than `micros` (entries are newest first). */
export function firstOlderThan(entries: readonly LineEntry[], micros: number): number {
  return firstIndex(entries, (entry) => entry.micros < micros);
}

function firstIndex(entries: readonly LineEntry[], past: (entry: LineEntry) => boolean): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const entry = entries[mid];
    if (entry && past(entry)) high = mid;
    else low = mid + 1;
  }
  return low;
}
