import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
  _header?: string | null;
  _headerSent?: boolean;
  outputData?: unknown[];
}

/**
 * The head of `response`, as Node keeps it until the response ends, in one flat string: Node
 * builds it as a rope of some thirty strings, three times the room for the same text.
 */
function flattenHead(response: ServerResponse) {
  const internals = response as ServerResponse & ResponseInternals;
  if (internals._header) {
    internals._header = Buffer.from(internals._header, 'latin1').toString('latin1');
  }
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
 * An event stream (graphql-sse's distinct-connections format, as graphql-yoga writes it) written
 * straight to Node's `response`: no Fetch-API stream, `Readable` or pipe between the results and
 * the socket. A group's frames come through `write`, one shared chunk per frame on the socket;
 * what the subscription runs itself is read from `results` whenever the socket takes more. The
 * head goes out with `start`, and frames that come before it are held until then. The response
 * closing (the client going away) returns `results`, which ends the subscription.
 */
class EventStreamWriter implements FrameWriter {
  private results: AsyncIterator<ExecutionResult> | undefined;
  /** Frames that came before the head went out (`start`); undefined once it has. */
  private early: Buffer[] | undefined = [];
  private ping: NodeJS.Timeout | undefined;
  private reading = false;
  private awaitingDrain = false;
  private closed = false;
  /** Frames written past the high-water mark since the socket last took some. */
  backlog = 0;
  /** Told each time a result read from `results` has been written. */
  written: (() => void) | undefined;

  constructor(
    private readonly frames: EventStreamFrames,
    private readonly response: ServerResponse,
  ) {
    response.once('close', this.close);
  }

  /** Reads `results` once the head is out, as the socket takes them. */
  readFrom(results: AsyncIterable<ExecutionResult>) {
    this.results = results[Symbol.asyncIterator]();
  }

  /** Writes the head (status and headers as Yoga's plugins left them on `head`), then the body. */
  start(head: Response) {
    const { response } = this;
    if (this.closed) return;
    // Given to `writeHead` alone, the headers go into the head and are not kept beside it. A flat
    // list of names and values keeps a header that comes more than once (`set-cookie`).
    response.writeHead(head.status, [...head.headers].flat());
    flattenHead(response);
    // As whatwg-node configures a streamed response's socket: no idle timeout, no delay.
    response.socket?.setTimeout(0).setNoDelay(true).setKeepAlive(true);
    // Some clients see the response only once a first byte arrives.
    this.send(PING);
    const early = this.early!;
    this.early = undefined;
    for (const frame of early) this.write(frame);
    this.ping = setInterval(() => this.send(PING), PING_INTERVAL_MS).unref();
    this.readNext();
  }

  write(frame: Buffer) {
    if (this.closed) return;
    if (this.early) {
      this.early.push(frame);
      return;
    }
    const socket = directSocket(this.response);
    if (!(socket ? socket.write(chunkOf(frame)) : this.response.write(frame))) this.congested();
  }

  /** Writes a frame that goes to this response alone. */
  private send(frame: Buffer) {
    if (!this.response.write(frame)) this.congested();
  }

  private congested() {
    this.backlog += 1;
    const { socket } = this.response;
    if (this.awaitingDrain || !socket) return;
    this.awaitingDrain = true;
    socket.once('drain', this.drained);
  }

  private readonly drained = () => {
    this.awaitingDrain = false;
    this.backlog = 0;
    this.readNext();
  };

  private readNext() {
    if (this.reading || this.awaitingDrain || this.closed || this.early || !this.results) return;
    this.reading = true;
    this.results.next().then(
      async ({ done, value }: IteratorResult<ExecutionResult, ExecutionResult | undefined>) => {
        const frame = value == null ? undefined : await this.frames.frameOf(value);
        if (this.closed) return;
        if (frame) this.send(frame);
        this.reading = false;
        if (frame) this.written?.();
        if (!done) {
          this.readNext();
        } else {
          clearInterval(this.ping);
          this.response.end(COMPLETE);
        }
      },
      (error: unknown) =>
        this.response.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private readonly close = () => {
    this.closed = true;
    clearInterval(this.ping);
    this.response.socket?.off('drain', this.drained);
    const ended = this.results?.return?.();
    void ended?.catch(() => undefined);
  };
}

/**
 * The event streams the gateway writes itself, by the Fetch-API response Yoga answered their
 * request with: that response carries the head (status, and headers from every plugin) and no
 * body. The gateway's request listener sends them (see `gatewayRequestListener`).
 */
export class EventStreamResponses {
  // Invariant: an entry lives until its response is sent, or is dropped unsent.
  private readonly writers = new WeakMap<Response, EventStreamWriter>();

  add(response: Response, writer: EventStreamWriter) {
    this.writers.set(response, writer);
  }

  /** Starts writing `response` when it is one of these event streams; false when it is not. */
  send(response: Response): boolean {
    const writer = this.writers.get(response);
    if (!writer) return false;
    this.writers.delete(response);
    writer.start(response);
    return true;
  }
}

/**
 * The server context of a request that the gateway's request listener serves over node:http:
 * the listener sends the event streams in `eventStreams` itself.
 */
export interface NodeExchange {
  req: IncomingMessage;
  res: ServerResponse;
  eventStreams: EventStreamResponses;
}

const isNodeExchange = (serverContext: object): serverContext is NodeExchange =>
  (serverContext as Partial<NodeExchange>).eventStreams instanceof EventStreamResponses;

/**
 * Subscriptions over graphql-yoga's event streams (distinct connections), when served by the
 * gateway's request listener, written by `EventStreamWriter`: each result's bytes shared between
 * subscribers (`frames`), and a subscription that may join a group (`groups`) written its group's
 * frames. Headers, status and every other plugin's response hooks stay graphql-yoga's.
 * Encodings are counted in `registry` (`gateway_subscription_events_encoded_total`).
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
    result: AsyncIterable<ExecutionResult>,
    fetchAPI: FetchAPI,
    request: Request,
    { req, res, eventStreams }: NodeExchange,
  ) => {
    const writer = new EventStreamWriter(frames!, res);
    const joined = groups.join(request, writer);
    // The event stream no longer reads the subscription's chain: the chain is let go.
    writer.readFrom(joined?.results ?? result);
    const member = joined?.member;
    if (member) writer.written = () => member.written();
    // whatwg-node leaves the listeners that read a POST's body on Node's request, and with them
    // the Fetch-API request, for as long as the connection lives: a read body needs them no more.
    // Removing every listener at once keeps the request's events object fast (removing one
    // event's makes it a dictionary). Node's server sets none of its own on the request.
    if (req.complete) req.removeAllListeners();
    const response = new fetchAPI.Response(null, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
        'cache-control': 'no-cache',
        'content-encoding': 'none',
      },
    });
    eventStreams.add(response, writer);
    return response;
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
        isNodeExchange(serverContext) &&
        request.headers.get('accept')?.includes('text/event-stream')
      ) {
        payload.setResultProcessor(
          (result, fetchAPI) =>
            respond(result as AsyncIterable<ExecutionResult>, fetchAPI, request, serverContext),
          'text/event-stream',
        );
      }
    },
  };
}
