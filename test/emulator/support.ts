import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { expect } from 'vitest';
import { DEMO_KEYS, startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorOptions, FalLogLine } from '../../src/emulator/index.js';

/** The fixed clock of the emulator tests; generated history ends here. */
export const NOW = Date.parse('2025-06-01T12:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ seed: 42, anchor: NOW, now: () => NOW, scale: 0.2, ...options });
}

export const FAL = { authorization: `Key ${DEMO_KEYS.fal}` };
export const FAL_OTHER = { authorization: `Key ${DEMO_KEYS.falOther}` };
export const DIFY = { authorization: `Bearer ${DEMO_KEYS.dify}` };
export const DIFY_OTHER = { authorization: `Bearer ${DEMO_KEYS.difyOther}` };

/** Asymmetric matchers typed as unknown, so that they can sit in expected objects. */
export const anyString: unknown = expect.any(String);
export const anyNumber: unknown = expect.any(Number);
export const containing = (text: string): unknown => expect.stringContaining(text);

export type Params = Record<string, string | number | boolean | readonly string[] | undefined>;

export function queryString(params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface Answer<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** One HTTP call; the body is parsed as JSON when it is JSON. */
export async function call<T = unknown>(
  url: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer<T>> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await response.body.text();
  const json = response.headers['content-type']?.toString().startsWith('application/json');
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (json ? JSON.parse(text) : text) as T,
  };
}

/** A log line as fal sends it. */
export type WireLine = FalLogLine;

export interface HistoryPage {
  items: WireLine[];
  next_cursor: string | null;
  has_more: boolean;
}

export function history(
  emulator: Emulator,
  params: Params = {},
  body?: unknown,
  headers: Record<string, string> = FAL,
): Promise<Answer<HistoryPage>> {
  return call(`${emulator.falUrl}/serverless/logs/history${queryString(params)}`, {
    method: 'POST',
    headers,
    body,
  });
}

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** An open logs.stream response, read as events until `close()`. */
export interface OpenStream {
  status: number;
  events: SseEvent[];
  comments: string[];
  /** Parsed data of the events whose data is JSON. */
  lines(): WireLine[];
  waitFor(predicate: (stream: OpenStream) => boolean, timeoutMs?: number): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

export async function openStream(
  emulator: Emulator,
  params: Params = {},
  body?: unknown,
  headers: Record<string, string> = FAL,
): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await request(
    `${emulator.falUrl}/serverless/logs/stream${queryString(params)}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body ?? []),
      signal: abort.signal,
    },
  );
  const stream: OpenStream = {
    status: response.statusCode,
    events: [],
    comments: [],
    lines: () =>
      stream.events.flatMap(({ data }) =>
        data.startsWith('{') ? [JSON.parse(data) as WireLine] : [],
      ),
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(stream)) {
        if (Date.now() > deadline) throw new Error('stream condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  const parser = createParser({
    onEvent: ({ event, data }) => stream.events.push({ event, data }),
    onComment: (comment) => stream.comments.push(comment.trim()),
  });
  stream.ended = (async () => {
    try {
      // One decoder across chunks: a character split between two chunks stays one character.
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      }
    } catch {
      // aborted by close() or reset by the server
    }
  })();
  return stream;
}

export function waitUntil(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 10);
    };
    check();
  });
}

export function micros(timestamp: string): number {
  const match = /\.(\d+)/.exec(timestamp);
  const fraction = (match?.[1] ?? '').padEnd(6, '0').slice(3, 6);
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(timestamp) ? timestamp : `${timestamp}Z`;
  return Date.parse(zoned) * 1000 + Number(fraction);
}
