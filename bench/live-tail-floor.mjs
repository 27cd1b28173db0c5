/**
 * The floor and the reference of the live-tail benchmark, in plain JavaScript run by `node`.
 * Both read one live fal log stream from the upstream, opened at start, and serve the
 * benchmark's subscription (`POST /graphql`, answered with an event stream in graphql-sse's
 * distinct-connections format) to any number of clients:
 *
 * - `KIND=floor`: bare `node:http`. No GraphQL, no per-client state beyond the response: each
 *   line is framed once, as one HTTP chunk, and the same bytes are written to every socket.
 * - `KIND=yoga`: graphql-yoga as it comes, with a subscription resolved from a pub/sub topic
 *   that each line is published to (what a generic GraphQL server does).
 *
 * `GET /metrics` answers `gateway_open_subscriptions` (here: event streams open), the one figure
 * the benchmark reads.
 *
 *   KIND=floor|yoga FAL_API_URL=… FAL_AUTHORIZATION=… [PORT=0] node bench/live-tail-floor.mjs
 */
import { Buffer } from 'node:buffer';
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import process from 'node:process';
import { setInterval } from 'node:timers';
import { TextDecoder } from 'node:util';
import { URL } from 'node:url';
import { createParser } from 'eventsource-parser';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { request } from 'undici';

const PING = Buffer.from(':\n\n');
const CRLF = Buffer.from('\r\n');
const PING_INTERVAL_MS = 12_000;

/** Calls `onLine` with each line of fal's live log stream from now on. */
async function followUpstream(onLine) {
  const url = new URL(process.env.FAL_API_URL);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/serverless/logs/stream`;
  url.searchParams.set('start', new Date().toISOString());
  const response = await request(url, {
    method: 'POST',
    headers: {
      authorization: process.env.FAL_AUTHORIZATION,
      accept: 'text/event-stream',
      'content-type': 'application/json',
    },
    body: '[]',
    bodyTimeout: 0,
  });
  if (response.statusCode !== 200) throw new Error(`upstream answered ${response.statusCode}`);
  const parser = createParser({
    onEvent: ({ data }) => {
      if (data.trim() !== '') onLine(JSON.parse(data));
    },
  });
  const decoder = new TextDecoder();
  response.body.on('data', (chunk) => parser.feed(decoder.decode(chunk, { stream: true })));
}

function bareServer() {
  const open = new Set();
  setInterval(() => open.forEach((response) => response.write(PING)), PING_INTERVAL_MS).unref();
  const handle = (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(PING);
    open.add(res);
    res.once('close', () => open.delete(res));
  };
  const onLine = ({ message }) => {
    const json = JSON.stringify({ data: { falLogs: { message } } });
    const frame = Buffer.from(`event: next\ndata: ${json}\n\n`);
    // One HTTP chunk, made once and written straight to every socket (as the gateway does).
    const chunk = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`), frame, CRLF]);
    for (const response of open) response.socket?.write(chunk);
  };
  return { handle, onLine };
}

function yogaServer() {
  // One listener per subscription: past Node's default of 10 it would warn of a leak.
  const events = new globalThis.EventTarget();
  setMaxListeners(0, events);
  const lines = createPubSub({ eventTarget: events });
  const yoga = createYoga({
    logging: false,
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        input FalLogFilter {
          since: String
        }
        type FalLogLine {
          message: String!
        }
        type Query {
          ok: Boolean
        }
        type Subscription {
          falLogs(filter: FalLogFilter): FalLogLine!
        }
      `,
      resolvers: {
        Subscription: {
          falLogs: { subscribe: () => lines.subscribe('line'), resolve: (line) => line },
        },
      },
    }),
  });
  return { handle: yoga.requestListener, onLine: (line) => lines.publish('line', line) };
}

const { handle, onLine } = process.env.KIND === 'yoga' ? yogaServer() : bareServer();
let eventStreams = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    res.end(`gateway_open_subscriptions ${eventStreams}\n`);
    return;
  }
  eventStreams += 1;
  res.once('close', () => (eventStreams -= 1));
  void handle(req, res);
});
await followUpstream(onLine);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}/graphql\n`);
});
