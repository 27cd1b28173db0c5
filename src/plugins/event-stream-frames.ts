import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { isAsyncIterable, processRegularResult, type FetchAPI, type Plugin } from 'graphql-yoga';
import type { EventGroups, FrameWriter } from './event-groups.js';

const PING = Buffer.from(':\n\n');
const COMPLETE = Buffer.from('event: complete\ndata:\n\n');
/** As graphql-yoga's own event streams: a comment now and then keeps idle proxies from closing. */
const PING_INTERVAL_MS = 12_000;
const CRLF = Buffer.from('\r\n');

// Invariant: a chunk lives while its frame does.
const chunks = new WeakMap<Buffer, Buffer>();

/**
 * `frame` as one chunk of an HTTP/1.1 chunked body, the bytes Node's `ServerResponse.write` puts
 * on the socket for it: made once per frame however many sockets a group writes it to.
 */
function chunkOf(frame: Buffer): Buffer {
  let chunk = chunks.get(frame);
  if (!chunk) {
    chunk = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`, 'latin1'), frame, CRLF]);
    chunks.set(frame, chunk);
  }
  return chunk;
}

/** What Node's `ServerResponse` keeps to itself and a direct socket write must check. */
interface ResponseInternals {
  chunkedEncoding?: boolean;
  _headerSent?: boolean;
  outputData?: unknown[];
}

/**
 * The socket of `response` when a chunk written to it straight away comes out exactly as
 * `response.write` would put it: the headers are out, the body is chunked, and the response
 * holds nothing back (nothing buffered of its own, not corked, not ended).
 */
function directSocket(response: ServerResponse): Socket | undefined {
  const internals = response as ServerResponse & ResponseInternals;
  const { socket } = response;
  if (
    !socket ||
    socket.destroyed ||
    !socket.writable ||
    !internals.chunkedEncoding ||
    !internals._headerSent ||
    internals.outputData?.length !== 0 ||
    response.writableCorked > 0 ||
    response.writableEnded
  ) {
    return undefined;
  }
  return socket;
}

/**
 * The `next` event of each result, encoded once: subscribers handed the same result object
 * (see `useSharedEventResults`) are written the same bytes. `encoded` is told of each encoding.
 */
export class EventStreamFrames {
  // Invariant: a frame lives while its result object does.
  private readonly frames = new WeakMap<ExecutionResult, Buffer>();

  constructor(
    private readonly fetchAPI: FetchAPI,
    private readonly encoded: () => void,
  ) {}

  frameOf(result: ExecutionResult): Buffer | Promise<Buffer> {
    const known = this.frames.get(result);
    if (known) return known;
    // Errors (rare: a tail's last event) go through graphql-yoga's own serialisation, which
    // leaves out the internals it keeps on them (`http`, `unexpected`).
    const json =
      result.errors || result.extensions
        ? processRegularResult(result, this.fetchAPI, 'application/json').text()
        : JSON.stringify(result);
    const framed = (text: string) => {
      const frame = Buffer.from(`event: next\ndata: ${text}\n\n`);
      this.frames.set(result, frame);
      this.encoded();
      return frame;
    };
    return typeof json === 'string' ? framed(json) : json.then(framed);
  }
}

/**
 * An event stream (graphql-sse's distinct-connections format, as graphql-yoga writes it) read
 * from `results` as the socket drains: no Fetch-API stream between the results and the socket.
 * A group's frames are written to it directly (`write`): straight to the socket of `response`
 * (one shared chunk per frame) whenever nothing it pushed is still on its way there, else pushed
 * behind what is. Destroying it (the client going away) returns `results`, which ends the
 * subscription.
 */
class EventStreamBody extends Readable implements FrameWriter {
  private results: AsyncIterator<ExecutionResult> | undefined;
  private readonly ping: NodeJS.Timeout;
  private reading = false;
  private awaitingDrain = false;
  /** Frames written past the high-water mark since the socket last took some. */
  backlog = 0;
  /** Told each time a result read from `results` has been written. */
  written: (() => void) | undefined;

  constructor(
    private readonly frames: EventStreamFrames,
    private readonly response: ServerResponse | undefined,
  ) {
    super();
    // Some clients see the response only once a first byte arrives.
    this.push(PING);
    this.ping = setInterval(() => this.push(PING), PING_INTERVAL_MS).unref();
  }

  /** Reads `results` from the first time the socket asks for more. */
  readFrom(results: AsyncIterable<ExecutionResult>) {
    this.results = results[Symbol.asyncIterator]();
  }

  write(frame: Buffer) {
    if (this.destroyed || this.readableEnded) return;
    // Whatever was pushed is on the socket already (a pushed chunk is written on as it comes
    // while the body flows): the frame goes after it.
    const socket = this.readableLength === 0 && this.response && directSocket(this.response);
    if (!socket) {
      if (!this.push(frame)) this.backlog += 1;
    } else if (!socket.write(chunkOf(frame))) {
      this.backlog += 1;
      if (!this.awaitingDrain) {
        this.awaitingDrain = true;
        socket.once('drain', this.drained);
      }
    }
  }

  private readonly drained = () => {
    this.awaitingDrain = false;
    this.backlog = 0;
  };

  override _read() {
    this.backlog = 0;
    if (this.reading || !this.results) return;
    this.reading = true;
    this.results.next().then(
      async ({ done, value }: IteratorResult<ExecutionResult, ExecutionResult | undefined>) => {
        if (this.destroyed) return;
        if (value != null) this.push(await this.frames.frameOf(value));
        this.reading = false;
        if (value != null) this.written?.();
        if (done) {
          clearInterval(this.ping);
          this.push(COMPLETE);
          this.push(null);
        }
      },
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    clearInterval(this.ping);
    const ended = this.results?.return?.();
    void ended?.catch(() => undefined);
    callback(error);
  }
}

/** The server context of a request over node:http: its request and response. */
interface NodeExchange {
  req?: IncomingMessage;
  res?: ServerResponse;
}

/**
 * Subscriptions over graphql-yoga's event streams (distinct connections) written by
 * `EventStreamBody`, each result's bytes shared between subscribers (`frames`); a subscription
 * that may join a group (`groups`) is written its group's frames. Headers, status and every
 * other plugin's response hooks stay graphql-yoga's. Encodings are counted in `registry`
 * (`gateway_subscription_events_encoded_total`).
 */
export function useSharedEventStreamFrames(
  registry: Registry,
  framesMade: (frames: EventStreamFrames) => void,
  groups: EventGroups,
): Plugin {
  const encodings = new Counter({
    name: 'gateway_subscription_events_encoded_total',
    help: 'Subscription events encoded for event streams: once per event and distinct document, variables and credentials, however many subscribers share it',
    registers: [registry],
  });
  const encoded = () => encodings.inc();
  let frames: EventStreamFrames | undefined;
  const respond = (
    result: unknown,
    fetchAPI: FetchAPI,
    request: Request,
    { req, res }: NodeExchange,
  ) => {
    const body = new EventStreamBody(frames!, res);
    const joined = groups.join(request, body);
    // A member's event stream no longer reads the subscription's chain: the chain is let go.
    body.readFrom(joined?.results ?? (result as AsyncIterable<ExecutionResult>));
    if (joined) body.written = () => joined.member.written();
    // whatwg-node leaves the listener that read a POST's body on Node's request, and with it the
    // Fetch-API request, for as long as the connection lives: a read body needs it no more.
    if (req?.complete) req.removeAllListeners('data');
    return new fetchAPI.Response(body as never, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
        'cache-control': 'no-cache',
        'content-encoding': 'none',
      },
    });
  };
  return {
    onYogaInit({ yoga }) {
      frames = new EventStreamFrames(yoga.fetchAPI, encoded);
      framesMade(frames);
    },
    onResultProcess(payload) {
      const { request, result, serverContext } = payload;
      // graphql-yoga chose its event stream for a subscription's results.
      if (
        payload.resultProcessor &&
        isAsyncIterable(result) &&
        request.headers.get('accept')?.includes('text/event-stream')
      ) {
        payload.setResultProcessor(
          (result, fetchAPI) => respond(result, fetchAPI, request, serverContext as NodeExchange),
          'text/event-stream',
        );
      }
    },
  };
}
