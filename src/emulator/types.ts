import type { DifyStore } from './dify/store.js';
import type { FalStore } from './fal/store.js';

export interface EmulatorOptions {
  /** Same seed and anchor give identical data. Default 42. */
  seed?: number;
  /** Epoch ms the generated history ends at. Default: the clock at start. */
  anchor?: number;
  /** Clock for live data and default windows. Default Date.now. */
  now?: () => number;
  host?: string;
  falPort?: number;
  /** Port of fal's legacy logs API, served from the same data as falPort. */
  falLegacyPort?: number;
  difyPort?: number;
  /** Accepted key -> tenant name. */
  falKeys?: Record<string, string>;
  difyKeys?: Record<string, string>;
  live?: false | LiveOptions;
  /** Multiplies the generated volume. Default 1 (~20k fal lines per 24 h for 'demo'). */
  scale?: number;
  /** Interval of the SSE keep-alive comment. Default 15 000 ms. */
  sseKeepAliveMs?: number;
}

export interface LiveOptions {
  falLinesPerSecond?: number;
  difyRunsPerMinute?: number;
}

export type Source = 'fal' | 'dify';

export interface RecordedCall {
  source: Source;
  route:
    | 'logs.history'
    | 'logs.stream'
    | 'logs.legacy'
    | 'requests.byEndpoint'
    | 'apps.list'
    | 'workflows.logs'
    | 'workflows.run';
  method: string;
  path: string;
  /** Every query parameter, repeated values kept in order. */
  query: Record<string, string[]>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  authorization: string | undefined;
  /** The `x-request-id` header, as a gateway propagates its own request id. */
  requestId: string | undefined;
  /** The W3C `traceparent` header, as a traced gateway sends its span's context. */
  traceparent: string | undefined;
  /** Status answered with; 0 while (or if never) answered. */
  status: number;
  /** True when the client closed the connection before the answer was complete. */
  abandoned?: boolean;
}

export type Route = RecordedCall['route'];

export interface Fault {
  /** How many matching calls it affects; unlimited when absent. */
  times?: number;
  latencyMs?: number;
  /** Answer with this status and the upstream's error envelope. */
  status?: number;
  /**
   * With status, the envelope's message; with errorEventAfter, the error event's text.
   * `{authorization}` is replaced by the request's `Authorization` header, as a careless
   * upstream might echo it.
   */
  errorMessage?: string;
  /** With status 429: Retry-After (fal also x-ratelimit-reset). */
  retryAfterSeconds?: number;
  /** Accept and never answer. */
  hang?: boolean;
  /** 200 with valid JSON that misses required fields. */
  malformedBody?: boolean;
  /** 200, part of the body, then the socket is destroyed. */
  resetMidBody?: boolean;
  /** 200, then the body one byte every this many ms. */
  trickleBodyMs?: number;
  /** 200, then a body that never ends: a JSON string that grows forever (logs.stream: a data line). */
  endlessBody?: boolean;
  /** logs.stream: data lines forever, without the blank line that would end the event. */
  endlessEvent?: boolean;
  /** logs.stream: end the response after this many data events. */
  dropAfterEvents?: number;
  /** logs.stream: send an `event: error` after this many data events, then end. */
  errorEventAfter?: number;
}

/** A route as someone calls it; `{name}` in the URL stands for one path segment. */
export interface EmulatorRoute {
  source: Source;
  route: Route;
  method: 'GET' | 'POST';
  url: string;
}

export interface CallFilter {
  source?: Source;
  route?: Route;
}

export interface Emulator {
  /** 'http://127.0.0.1:PORT/v1' */
  falUrl: string;
  /** 'http://127.0.0.1:PORT', fal's legacy logs API (`POST /logs/`) at the root, as at rest.alpha.fal.ai */
  falLegacyUrl: string;
  difyUrl: string;
  /** Every route of both servers, fal's first. */
  routes: readonly EmulatorRoute[];
  calls(filter?: CallFilter): RecordedCall[];
  resetCalls(): void;
  setFault(route: Route, fault: Fault): void;
  clearFaults(): void;
  /** Currently open logs.stream responses. */
  openStreams(): number;
  /** TCP connections the fal server (v1) has accepted since it started. */
  falConnections(): number;
  /** Calls received and not yet answered or abandoned. */
  inFlight(): number;
  /** The most calls in flight at once since the last `resetCalls()`. */
  peakInFlight(): number;
  fal: FalStore;
  dify: DifyStore;
  /** Stops live generators, ends streams, closes the servers. */
  close(): Promise<void>;
}
