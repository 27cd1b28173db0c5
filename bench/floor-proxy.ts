/**
 * The floor for the overhead benchmark: the least a proxy in Node.js can do to serve the
 * benchmark's pages. It makes the same pooled undici call upstream as the gateway, parses the
 * JSON, reshapes it into the connection JSON the GraphQL query would return, and stringifies it;
 * no GraphQL, validation or cursor signing. Run as a process of its own:
 *
 *   FAL_API_URL=… DIFY_API_URL=… [PORT=0] node --import tsx bench/floor-proxy.ts
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { FAL_LOGS_PAGE, PAGE_SIZE, WORKFLOW_LOGS_PAGE } from './operations.js';
import type { BenchWindow } from './operations.js';
import { difyLogsCall, falHistoryCall } from './upstream-calls.js';
import type { UpstreamCall } from './upstream-calls.js';

interface FalLine {
  timestamp: string;
  level: string;
  message: string;
  app: string;
  revision: string;
  labels?: Record<string, string>;
}

interface DifyRow {
  id: string;
  created_at: number;
  created_from?: string | null;
  workflow_run?: {
    id: string;
    status: string;
    elapsed_time?: number | null;
    total_tokens?: number | null;
    created_at: number;
    finished_at?: number | null;
  } | null;
}

class Upstream {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, { connections: 64, keepAliveTimeout: 10_000 });
  }

  async json(call: UpstreamCall, authorization: string): Promise<unknown> {
    const response = await this.pool.request({
      method: call.method,
      path: this.basePath + call.path,
      headers: {
        authorization,
        accept: 'application/json',
        ...(call.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: call.body,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`upstream answered ${response.statusCode}`);
    return JSON.parse(text);
  }
}

const cursorOf = (key: string, index: number) =>
  Buffer.from(`${key}:${index}`).toString('base64url');
const isoOfSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();
const enumOf = (value: string) => value.toUpperCase().replace(/-/g, '_');

function connection<T>(nodes: T[], hasNextPage: boolean, keyOf: (node: T) => string) {
  const edges = nodes.map((node, index) => ({ cursor: cursorOf(keyOf(node), index), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

async function falLogs(fal: Upstream, window: BenchWindow, authorization: string) {
  const page = (await fal.json(falHistoryCall(window, PAGE_SIZE), authorization)) as {
    items: FalLine[];
    has_more: boolean;
  };
  const nodes = page.items.slice(0, PAGE_SIZE).map((line) => ({
    timestamp: line.timestamp,
    level: line.level.toUpperCase() === 'WARN' ? 'WARNING' : line.level.toUpperCase(),
    message: line.message,
    app: line.app,
    revision: line.revision,
    requestId: line.labels?.fal_request_id ?? null,
  }));
  const hasNextPage = page.items.length > PAGE_SIZE || page.has_more;
  return { falLogs: connection(nodes, hasNextPage, (node) => node.timestamp) };
}

async function workflowLogs(dify: Upstream, window: BenchWindow, authorization: string) {
  const page = (await dify.json(difyLogsCall(window, PAGE_SIZE), authorization)) as {
    data: DifyRow[];
    has_more: boolean;
  };
  const nodes = page.data.map((row) => ({
    logId: row.id,
    createdAt: isoOfSeconds(row.created_at),
    createdFrom: row.created_from ?? null,
    workflowRun: row.workflow_run
      ? {
          runId: row.workflow_run.id,
          status: enumOf(row.workflow_run.status),
          elapsedTime: row.workflow_run.elapsed_time ?? null,
          totalTokens: row.workflow_run.total_tokens ?? null,
          createdAt: isoOfSeconds(row.workflow_run.created_at),
          finishedAt:
            row.workflow_run.finished_at == null
              ? null
              : isoOfSeconds(row.workflow_run.finished_at),
        }
      : null,
  }));
  return { workflowLogs: connection(nodes, page.has_more, (node) => node.logId) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const fal = new Upstream(process.env.FAL_API_URL ?? '');
const dify = new Upstream(process.env.DIFY_API_URL ?? '');

const server = createServer((req, res) => {
  const answer = async () => {
    const request = JSON.parse(await readBody(req)) as {
      operationName: string;
      variables: BenchWindow;
    };
    const authorization = req.headers.authorization ?? '';
    if (request.operationName === FAL_LOGS_PAGE.name) {
      return { data: await falLogs(fal, request.variables, authorization) };
    }
    if (request.operationName === WORKFLOW_LOGS_PAGE.name) {
      return { data: await workflowLogs(dify, request.variables, authorization) };
    }
    throw new Error(`unknown operation ${request.operationName}`);
  };
  answer().then(
    (body) => send(res, 200, body),
    (error: unknown) => send(res, 500, { errors: [{ message: String(error) }] }),
  );
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`floor proxy listening on http://127.0.0.1:${port}/graphql`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
