import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorRoute, Route, Source } from '../types.js';
import type { CallLog } from './calls.js';
import { faultMessage, sendError } from './exchange.js';
import type { ErrorAnswer, Exchange } from './exchange.js';
import type { FaultBook } from './faults.js';
import { parseJsonBody, queryRecord, readBody } from './request.js';

export interface RouteSpec {
  route: Route;
  method: 'GET' | 'POST';
  /** The whole pathname, a trailing slash allowed; `{name}` matches one segment, a param. */
  path: string;
  malformed: unknown;
  handle(ex: Exchange, tenant: string): void | Promise<void>;
}

export interface SourceSpec {
  source: Source;
  routes: readonly RouteSpec[];
  authenticate(authorization: string | undefined): { tenant: string } | { rejection: string };
  /** An error answer in the upstream's envelope. */
  error(status: number, message?: string, retryAfterSeconds?: number): ErrorAnswer;
}

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
}

function compile(route: RouteSpec): CompiledRoute {
  const segments = route.path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param ? `(?<${param}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  return { spec: route, pattern: new RegExp(`^${segments.join('/')}/?$`) };
}

/** Each route of a source as someone calls it, under the source's base URL. */
export function describeRoutes(spec: SourceSpec, baseUrl: string): EmulatorRoute[] {
  const { origin } = new URL(baseUrl);
  return spec.routes.map(({ route, method, path }) => ({
    source: spec.source,
    route,
    method,
    url: `${origin}${path}`,
  }));
}

/**
 * Serves one upstream: records every matched call, then applies the route's fault
 * (latency, hang and status before authentication), then authenticates and handles it.
 */
export function createSourceServer(spec: SourceSpec, calls: CallLog, faults: FaultBook): Server {
  const routes = spec.routes.map(compile);
  return createServer((req, res) => {
    res.on('error', () => undefined);
    serve(spec, routes, calls, faults, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else answerError(res, spec.error(500));
    });
  });
}

async function serve(
  spec: SourceSpec,
  routes: readonly CompiledRoute[],
  calls: CallLog,
  faults: FaultBook,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const text = await readBody(req);
  const method = req.method ?? 'GET';
  const atPath = routes.filter(({ pattern }) => pattern.test(url.pathname));
  const matched = matchRoute(atPath, method, url.pathname);
  if (!matched && atPath.length > 0) {
    const allowed = atPath.map(({ spec: route }) => route.method);
    const message = `${method} is not allowed on ${url.pathname}: use ${allowed.join(' or ')}`;
    const answer = spec.error(405, message);
    return answerError(res, {
      ...answer,
      headers: { ...answer.headers, allow: allowed.join(', ') },
    });
  }
  if (!matched) return answerError(res, spec.error(404));
  const { route, params } = matched;
  const ex: Exchange = {
    req,
    res,
    params,
    bodyText: text,
    call: {
      source: spec.source,
      route: route.route,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: queryRecord(url.searchParams),
      body: parseJsonBody(text),
      authorization: req.headers.authorization,
      requestId: singleHeader(req.headers['x-request-id']),
      traceparent: singleHeader(req.headers.traceparent),
      status: 0,
    },
    fault: faults.take(route.route),
    malformed: route.malformed,
  };
  calls.record(ex.call);
  calls.track(ex.call, res);
  const { fault } = ex;
  if (fault?.latencyMs) await delay(fault.latencyMs, undefined, { ref: false });
  if (fault?.hang) return;
  if (fault?.status !== undefined) {
    return sendError(ex, spec.error(fault.status, faultMessage(ex), fault.retryAfterSeconds));
  }
  const auth = spec.authenticate(req.headers.authorization);
  if ('rejection' in auth) return sendError(ex, spec.error(401, auth.rejection));
  await route.handle(ex, auth.tenant);
}

function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): { route: RouteSpec; params: Record<string, string> } | undefined {
  for (const { spec: route, pattern } of routes) {
    const match = route.method === method ? pattern.exec(pathname) : null;
    if (match) return { route, params: { ...match.groups } };
  }
  return undefined;
}

function answerError(res: ServerResponse, answer: ErrorAnswer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
