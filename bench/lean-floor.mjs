/**
 * The floor of the overhead benchmark: the least a Node.js proxy can do to serve the benchmark's
 * pages, in plain JavaScript run by `node` itself (no TypeScript loader). Per request it makes
 * the same pooled undici call upstream as the gateway, parses the JSON, reshapes it into the
 * connection the GraphQL query returns, and stringifies it; no GraphQL, validation, cursor
 * signing, logging or metrics. The upstream calls come ready-made from the benchmark (one fixed
 * window), so the floor does not even build them:
 *
 *   FAL_API_URL=… DIFY_API_URL=… FAL_CALL='{"method":…,"path":…,"body":…}' DIFY_CALL='…' \
 *     [PORT=0] node bench/lean-floor.mjs
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';
import { URL } from 'node:url';
import { Pool } from 'undici';

const PAGE_SIZE = 100;

function upstream(baseUrl, call) {
  const url = new URL(baseUrl);
  const pool = new Pool(url.origin, { connections: 64, keepAliveTimeout: 10_000 });
  const options = {
    method: call.method,
    path: url.pathname.replace(/\/+$/, '') + call.path,
    body: call.body,
  };
  return async (authorization) => {
    const response = await pool.request({
      ...options,
      headers: {
        authorization,
        accept: 'application/json',
        ...(call.body !== undefined && { 'content-type': 'application/json' }),
      },
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`upstream answered ${response.statusCode}`);
    return JSON.parse(text);
  };
}

const cursorOf = (key, index) => Buffer.from(`${key}:${index}`).toString('base64url');
const isoOfSeconds = (seconds) => new Date(seconds * 1000).toISOString();
const enumOf = (value) => value.toUpperCase().replace(/-/g, '_');

function connection(nodes, hasNextPage, keyOf) {
  const edges = nodes.map((node, index) => ({ cursor: cursorOf(keyOf(node), index), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

const falHistory = upstream(process.env.FAL_API_URL, JSON.parse(process.env.FAL_CALL));
const difyLogs = upstream(process.env.DIFY_API_URL, JSON.parse(process.env.DIFY_CALL));

async function falLogs(authorization) {
  const page = await falHistory(authorization);
  const nodes = page.items.slice(0, PAGE_SIZE).map((line) => {
    const level = line.level.toUpperCase();
    return {
      timestamp: line.timestamp,
      level: level === 'WARN' ? 'WARNING' : level,
      message: line.message,
      app: line.app,
      revision: line.revision,
      requestId: line.labels?.fal_request_id ?? null,
    };
  });
  const hasNextPage = page.items.length > PAGE_SIZE || page.has_more;
  return { falLogs: connection(nodes, hasNextPage, (node) => node.timestamp) };
}

async function workflowLogs(authorization) {
  const page = await difyLogs(authorization);
  const nodes = page.data.map((row) => {
    const run = row.workflow_run;
    return {
      logId: row.id,
      createdAt: isoOfSeconds(row.created_at),
      createdFrom: row.created_from ?? null,
      workflowRun: run
        ? {
            runId: run.id,
            status: enumOf(run.status),
            elapsedTime: run.elapsed_time ?? null,
            totalTokens: run.total_tokens ?? null,
            createdAt: isoOfSeconds(run.created_at),
            finishedAt: run.finished_at == null ? null : isoOfSeconds(run.finished_at),
          }
        : null,
    };
  });
  return { workflowLogs: connection(nodes, page.has_more, (node) => node.logId) };
}

const OPERATIONS = { BenchFalLogs: falLogs, BenchWorkflowLogs: workflowLogs };

async function answer(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const { operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const operation = OPERATIONS[operationName];
  if (!operation) throw new Error(`unknown operation ${operationName}`);
  return { data: await operation(req.headers.authorization ?? '') };
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  answer(req).then(
    (body) => send(res, 200, body),
    (error) => send(res, 500, { errors: [{ message: String(error) }] }),
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `floor proxy listening on http://127.0.0.1:${server.address().port}/graphql\n`,
  );
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
