import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Fault, RecordedCall } from '../types.js';
import { trickle, writeForever } from './hostile-bodies.js';

/** One recorded call on its way through a source server. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  call: RecordedCall;
  /** The request body as received. */
  bodyText: string;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  /** The fault that applies to this call, if any. */
  fault: Fault | undefined;
  /** What this route answers with under the malformedBody fault. */
  malformed: unknown;
}

/** An error answer in an upstream's envelope. */
export interface ErrorAnswer {
  status: number;
  body: unknown;
  headers: OutgoingHttpHeaders;
}

/** The fault's errorMessage, with the request's `Authorization` header in place of `{authorization}`. */
export function faultMessage(ex: Exchange): string | undefined {
  return ex.fault?.errorMessage?.replaceAll('{authorization}', ex.call.authorization ?? '');
}

export function writeHead(ex: Exchange, status: number, headers: OutgoingHttpHeaders): void {
  ex.call.status = status;
  ex.res.writeHead(status, headers);
}

export function sendJson(
  ex: Exchange,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  writeHead(ex, status, { 'content-type': 'application/json', ...headers });
  ex.res.end(JSON.stringify(body));
}

export function sendError(ex: Exchange, answer: ErrorAnswer): void {
  sendJson(ex, answer.status, answer.body, answer.headers);
}

/**
 * Sends a successful answer, shaped by the malformedBody, endlessBody, trickleBodyMs and
 * resetMidBody faults.
 */
export function sendOk(ex: Exchange, body: unknown): void {
  const { fault } = ex;
  if (fault?.malformedBody) return sendJson(ex, 200, ex.malformed);
  if (!fault?.endlessBody && !fault?.trickleBodyMs && !fault?.resetMidBody) {
    return sendJson(ex, 200, body);
  }
  writeHead(ex, 200, { 'content-type': 'application/json' });
  if (fault.endlessBody) return void writeForever(ex.res, '{"items":["', 'x');
  const text = JSON.stringify(body);
  if (fault.trickleBodyMs) return void trickle(ex.res, text, fault.trickleBodyMs);
  writeThenReset(ex, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
}

/** Writes a fragment, then destroys the connection once it has left. */
export function writeThenReset(ex: Exchange, fragment: string): void {
  ex.res.write(fragment, () => ex.req.socket.destroy());
}
