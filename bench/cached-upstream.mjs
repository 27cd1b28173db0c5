/**
 * An upstream that costs next to nothing, so that the overhead benchmark's ratios show the
 * gateway's own cost rather than the emulator's. For each origin it listens on a port of its own;
 * the first time a call (method, path with query, authorization and body) comes in it is passed
 * to the origin, and its answer is kept and served as is, from memory, from then on. The
 * benchmark's window is fixed, so every later call reads the same bytes the emulator gave.
 *
 *   ORIGINS=http://127.0.0.1:4010,http://127.0.0.1:4020 node bench/cached-upstream.mjs
 *
 * prints one `cached <origin> at http://127.0.0.1:<port>` line per origin, then `ready`.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';
import { Pool } from 'undici';

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function cachingServer(origin) {
  const pool = new Pool(origin, { connections: 8 });
  /** Answers by call; a pending first call is shared by the calls that arrive meanwhile. */
  const answers = new Map();
  const fetchAnswer = async (req, body) => {
    const response = await pool.request({
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: undefined, connection: undefined },
      body: body === '' ? undefined : body,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: {
        'content-type': response.headers['content-type'] ?? 'application/json',
        'content-length': bytes.length,
      },
      bytes,
    };
  };
  return createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const key = `${req.method} ${req.url}\n${req.headers.authorization ?? ''}\n${body}`;
        let answer = answers.get(key);
        if (!answer) {
          answer = fetchAnswer(req, body);
          answers.set(key, answer);
          answer.catch(() => answers.delete(key));
        }
        return answer;
      })
      .then(
        ({ status, headers, bytes }) => {
          res.writeHead(status, headers);
          res.end(bytes);
        },
        (error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
  });
}

const origins = (process.env.ORIGINS ?? '').split(',').filter(Boolean);
const lines = await Promise.all(
  origins.map(
    (origin) =>
      new Promise((resolve) => {
        const server = cachingServer(origin);
        server.listen(0, '127.0.0.1', () => {
          resolve(`cached ${origin} at http://127.0.0.1:${server.address().port}`);
        });
        process.once('SIGTERM', () => server.closeAllConnections());
      }),
  ),
);
process.stdout.write(`${lines.join('\n')}\nready\n`);
process.once('SIGTERM', () => process.exit(0));
