import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { IncomingMessage } from 'node:http';
import {
  TOKEN_HEADER_KEY,
  TOKEN_QUERY_KEY,
  type OperationResult,
  type Response as HandlerResponse,
} from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/fetch';
import { isAsyncIterable, type FetchAPI, type Plugin } from 'graphql-yoga';
import type { StreamReservationLimits } from '../config.js';
import { withContractCodes } from './error-contract.js';
import { operationNameError } from './request-params.js';
import { withParamsToRun, type ParamsToRun } from './stream-params.js';
import { StreamReservations } from './stream-reservations.js';

/** Proxies such as nginx buffer responses unless told not to, which would hold back live lines. */
function useUnbufferedEventStreams(): Plugin {
  return {
    onResponse({ response }) {
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        response.headers.set('x-accel-buffering', 'no');
      }
    },
  };
}

/** What Yoga's envelop gives one operation: its own parse, validate, context and execution. */
interface Enveloped {
  schema: GraphQLSchema;
  parse(source: string): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  contextFactory(): unknown;
  execute(args: ExecutionArgs): OperationResult | Promise<OperationResult>;
  subscribe(args: ExecutionArgs): OperationResult | Promise<OperationResult>;
}

/**
 * graphql-sse's handler recognises a result only when it has a `data` key; an operation refused
 * before it starts (no credential, bad input, an invalid query) yields `{ errors }` alone.
 */
const refused = (errors: readonly GraphQLError[]): ExecutionResult =>
  withContractCodes({ data: null, errors });

const badRequest = (error: GraphQLError): HandlerResponse => [
  JSON.stringify({
    errors: [{ message: error.message, extensions: { code: error.extensions.code } }],
  }),
  {
    status: 400,
    statusText: 'Bad Request',
    headers: { 'content-type': 'application/json; charset=utf-8' },
  },
];

/** An operation refused before graphql-sse reads it, with the HTTP status the error names. */
function refusedOperation(fetchAPI: FetchAPI, error: GraphQLError): Response {
  return fetchAPI.Response.json(
    { errors: [{ message: error.message, extensions: { code: error.extensions.code } }] },
    { status: error.extensions.http?.status ?? 400 },
  );
}

/** What the client gets when the handler fails: no message, stack or path of ours. */
const internalError = (fetchAPI: FetchAPI) =>
  fetchAPI.Response.json(
    { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    { status: 500 },
  );

function tooManyReservations(fetchAPI: FetchAPI, limits: StreamReservationLimits): Response {
  const message =
    `Too many stream reservations outstanding (at most ${limits.maxPerClient} per client, ` +
    `${limits.maxTotal} in all): open the event streams already reserved, or retry later`;
  return fetchAPI.Response.json(
    { errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] },
    { status: 429, headers: { 'retry-after': String(Math.ceil(limits.ttlMs / 1000)) } },
  );
}

function noReservation(fetchAPI: FetchAPI, limits: StreamReservationLimits): Response {
  const message =
    `No reservation for this stream token: it expired (after ${limits.ttlMs / 1000} s unused), ` +
    'was used already, or never existed. Reserve a stream with PUT';
  return fetchAPI.Response.json(
    { errors: [{ message, extensions: { code: 'NOT_FOUND' } }] },
    { status: 404 },
  );
}

/** A stream token as graphql-sse reads it: the header, else the URL's `token`. */
const streamTokenOf = (request: Request): string | undefined =>
  request.headers.get(TOKEN_HEADER_KEY) ||
  new URL(request.url).searchParams.get(TOKEN_QUERY_KEY) ||
  undefined;

/** graphql-sse's test for a request that opens an event stream. */
const opensEventStream = (request: Request) =>
  (request.headers.get('accept') || '*/*') === 'text/event-stream';

/** The client, for per-client bounds: the remote address of the connection (Node's server). */
function clientOf(serverContext: Record<string, unknown>): string {
  const { req } = serverContext as { req?: IncomingMessage };
  return req?.socket.remoteAddress ?? 'unknown';
}

const asHandlerResult = (result: Awaited<OperationResult>): Awaited<OperationResult> =>
  isAsyncIterable(result) || 'data' in result ? result : refused(result.errors ?? []);

/**
 * graphql-sse's single-connection mode on `endpoint`, run through Yoga's plugins (context,
 * limits, errors). Unlike Yoga's own glue, an operation that does not parse or validate comes
 * back to the client as a result with its errors, not as a failed request.
 */
function useSingleConnectionStreams(
  endpoint: string,
  limits: StreamReservationLimits,
  reservationsCounted: (outstanding: number) => void,
  paramsToRun: ParamsToRun | undefined,
): Plugin {
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  /** The token the gateway issued to a PUT: a client never picks its own. */
  const issuedTokens = new WeakMap<Request, string>();
  let answer: ((request: Request, client: string) => Promise<Response>) | undefined;
  return {
    onYogaInit({ yoga }) {
      const { fetchAPI } = yoga;
      const handleRaw = createHandler(
        {
          authenticate: (req) => issuedTokens.get(req.raw) ?? streamTokenOf(req.raw),
          onSubscribe(req, params) {
            const malformed = operationNameError(params);
            if (malformed) return badRequest(malformed);
            const enveloped = yoga.getEnveloped({
              ...serverContexts.get(req.raw),
              request: req.raw,
              params,
            }) as Enveloped;
            let document: DocumentNode;
            try {
              document = enveloped.parse(params.query);
            } catch (error) {
              if (error instanceof GraphQLError) return refused([error]);
              throw error;
            }
            const errors = enveloped.validate(enveloped.schema, document);
            if (errors.length > 0) return refused(errors);
            const operation = getOperationAST(document, params.operationName);
            return Promise.resolve(enveloped.contextFactory()).then((contextValue: unknown) => {
              const args = {
                schema: enveloped.schema,
                document,
                contextValue,
                variableValues: params.variables,
                operationName: params.operationName,
              };
              const result =
                operation?.operation === OperationTypeNode.SUBSCRIPTION
                  ? enveloped.subscribe(args)
                  : enveloped.execute(args);
              return Promise.resolve(result).then(asHandlerResult);
            });
          },
        },
        fetchAPI,
      );
      // Whatever escapes graphql-sse would otherwise reach the client with its stack trace.
      const handle = (request: Request) =>
        handleRaw(request).catch((error: unknown) => {
          yoga.logger.error(error);
          return internalError(fetchAPI);
        });
      // graphql-sse drops a reserved stream, and stops the operations sent to it, only when its
      // event stream closes: an expired reservation's is opened and closed at once.
      const release = (token: string) =>
        void handle(
          new fetchAPI.Request(`http://localhost${endpoint}`, {
            headers: { accept: 'text/event-stream', [TOKEN_HEADER_KEY]: token },
          }),
        ).then((response) => response.body?.cancel());
      const reservations = new StreamReservations(limits, release, reservationsCounted);

      answer = async (request, client) => {
        if (request.method === 'PUT') {
          const token = reservations.reserve(client);
          if (!token) return tooManyReservations(fetchAPI, limits);
          issuedTokens.set(request, token);
          const response = await handle(request);
          // Refused by graphql-sse (a PUT that does not accept text): nothing was reserved.
          if (response.status !== 201) reservations.claim(token);
          return response;
        }
        const token = streamTokenOf(request);
        if (token && opensEventStream(request)) {
          return reservations.claim(token) ? handle(request) : noReservation(fetchAPI, limits);
        }
        if (!paramsToRun || (request.method !== 'GET' && request.method !== 'POST')) {
          return handle(request);
        }
        const toRun = await withParamsToRun(request, paramsToRun, fetchAPI);
        if (toRun instanceof GraphQLError) return refusedOperation(fetchAPI, toRun);
        serverContexts.set(toRun, serverContexts.get(request)!);
        return handle(toRun);
      };
    },
    onRequest(payload) {
      const { request, serverContext, url } = payload;
      if (!answer || url.pathname !== endpoint) return;
      serverContexts.set(request, serverContext);
      return answer(request, clientOf(serverContext)).then((response) =>
        payload.endResponse(response),
      );
    },
  };
}

/**
 * Subscriptions over server-sent events: graphql-sse's distinct-connections mode on the
 * GraphQL endpoint (graphql-yoga's own) and its single-connection mode on `streamEndpoint`.
 * `paramsToRun`, when given, rewrites (or refuses) each operation's params on `streamEndpoint`
 * before graphql-sse reads them, as Yoga's params hooks do on the GraphQL endpoint.
 */
export function useEventStreams(
  streamEndpoint: string,
  reservationLimits: StreamReservationLimits,
  reservationsCounted: (outstanding: number) => void,
  paramsToRun?: ParamsToRun,
): Plugin[] {
  return [
    useSingleConnectionStreams(streamEndpoint, reservationLimits, reservationsCounted, paramsToRun),
    useUnbufferedEventStreams(),
  ];
}
