import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { OperationResult, Response as HandlerResponse } from 'graphql-sse';
import { createHandler } from 'graphql-sse/lib/use/fetch';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { withContractCodes } from './error-contract.js';
import { operationNameError } from './request-params.js';

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

/** What the client gets when the handler fails: no message, stack or path of ours. */
const internalError = (fetchAPI: { Response: typeof Response }) =>
  fetchAPI.Response.json(
    { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    { status: 500 },
  );

const asHandlerResult = (result: Awaited<OperationResult>): Awaited<OperationResult> =>
  isAsyncIterable(result) || 'data' in result ? result : refused(result.errors ?? []);

/**
 * graphql-sse's single-connection mode on `endpoint`, run through Yoga's plugins (context,
 * limits, errors). Unlike Yoga's own glue, an operation that does not parse or validate comes
 * back to the client as a result with its errors, not as a failed request.
 */
function useSingleConnectionStreams(endpoint: string): Plugin {
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  let handle: ((request: Request) => Promise<Response>) | undefined;
  return {
    onYogaInit({ yoga }) {
      const handleRaw = createHandler(
        {
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
        yoga.fetchAPI,
      );
      // Whatever escapes graphql-sse would otherwise reach the client with its stack trace.
      handle = (request) =>
        handleRaw(request).catch((error: unknown) => {
          yoga.logger.error(error);
          return internalError(yoga.fetchAPI);
        });
    },
    onRequest(payload) {
      const { request, serverContext } = payload;
      if (!handle || new URL(request.url).pathname !== endpoint) return;
      serverContexts.set(request, serverContext);
      return handle(request).then((response) => payload.endResponse(response));
    },
  };
}

/**
 * Subscriptions over server-sent events: graphql-sse's distinct-connections mode on the
 * GraphQL endpoint (graphql-yoga's own) and its single-connection mode on `streamEndpoint`.
 */
export function useEventStreams(streamEndpoint: string): Plugin[] {
  return [useSingleConnectionStreams(streamEndpoint), useUnbufferedEventStreams()];
}
