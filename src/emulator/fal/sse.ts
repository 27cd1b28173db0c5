import type { ServerResponse } from 'node:http';
import type { Fault } from '../types.js';
import type { FalLogLine } from './wire.js';

/** Data events between two bits of noise: an empty event, or a data line that is not JSON. */
const NOISE_EVERY = 50;

/**
 * Writes log lines as SSE `data:` events, with the noise upstream sends and the stream
 * faults (drop, error event, lines missing fields) applied.
 */
export class SseWriter {
  #events = 0;
  readonly #res: ServerResponse;
  readonly #fault: Fault | undefined;
  readonly #errorEventText: string;

  constructor(res: ServerResponse, fault: Fault | undefined, errorEventText?: string) {
    this.#res = res;
    this.#fault = fault;
    this.#errorEventText = errorEventText ?? 'log reader failed, reconnect to resume';
  }

  get open(): boolean {
    return !this.#res.writableEnded && !this.#res.destroyed;
  }

  line(line: FalLogLine): void {
    if (!this.open) return;
    const data = this.#fault?.malformedBody ? { message: line.message } : line;
    this.#res.write(`data: ${JSON.stringify(data)}\n\n`);
    this.#events += 1;
    if (this.#events % NOISE_EVERY === 0) {
      this.#res.write(this.#events % (2 * NOISE_EVERY) === 0 ? 'data: ping\n\n' : 'data:\n\n');
    }
    if (this.#events === this.#fault?.errorEventAfter) {
      this.#res.end(`event: error\ndata: ${this.#errorEventText}\n\n`);
    } else if (this.#events === this.#fault?.dropAfterEvents) {
      this.#res.end();
    }
  }

  comment(text: string): void {
    if (this.open) this.#res.write(`: ${text}\n\n`);
  }

  error(text: string): void {
    if (this.open) this.#res.end(`event: error\ndata: ${text}\n\n`);
  }

  end(): void {
    if (this.open) this.#res.end();
  }
}
