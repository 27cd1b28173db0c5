import { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, isAsyncIterable } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import { UpstreamError } from '../errors.js';
import { logUpstreamFailure } from './observability.js';

function upstreamGraphQLError(error: GraphQLError, upstream: UpstreamError): GraphQLError {
  const { code, source, upstreamStatus, upstreamRequestId, retryAfter } = upstream.details;
  return new GraphQLError(upstream.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: {
      code,
      source,
      ...(upstreamStatus !== undefined && { upstreamStatus }),
      ...(upstreamRequestId !== undefined && { upstreamRequestId }),
      ...(retryAfter !== undefined && { retryAfter }),
    },
  });
}

const withUpstreamErrors =
  (logger: Logger) =>
  ({
    result,
    setResult,
  }: {
    result: ExecutionResult;
    setResult: (result: ExecutionResult) => void;
  }) => {
    if (!result.errors?.some((error) => error.originalError instanceof UpstreamError)) return;
    setResult({
      ...result,
      errors: result.errors.map((error) => {
        if (!(error.originalError instanceof UpstreamError)) return error;
        logUpstreamFailure(logger, error.originalError, error.path);
        return upstreamGraphQLError(error, error.originalError);
      }),
    });
  };

/**
 * Upstream failures become errors with their contract code, source, upstream status and
 * request id, and are logged once on the request's own logger, before Yoga masks the rest
 * (which it would log as internal errors, stack and all).
 */
export function useUpstreamErrors(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      const handle = withUpstreamErrors(args.contextValue.logger);
      return { onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, handle) };
    },
    onSubscribe({ args }) {
      const handle = withUpstreamErrors(args.contextValue.logger);
      return {
        onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, handle),
      };
    },
  };
}

/** Codes graphql-yoga and graphql-js give to a request the client got wrong. */
const CLIENT_REQUEST_CODES = new Set([
  undefined,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
]);

function withContractCode(error: GraphQLError): GraphQLError {
  // Errors built outside graphql-js (graphql-jit's) may have no extensions at all.
  const code = (error.extensions as GraphQLError['extensions'] | undefined)?.code as
    string | undefined;
  if (!CLIENT_REQUEST_CODES.has(code) || (code === undefined && error.path)) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

export function withContractCodes<Result extends ExecutionResult>(result: Result): Result {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map(withContractCode) };
}

/**
 * Requests that fail before execution (unparsable query, unknown field, a variable of the
 * wrong type) are the client's input: they carry BAD_USER_INPUT like every other input error.
 */
export function useContractErrorCodes(): Plugin {
  return {
    onResultProcess(payload) {
      const { result } = payload;
      if (isAsyncIterable(result)) return;
      payload.setResult(
        Array.isArray(result) ? result.map(withContractCodes) : withContractCodes(result),
      );
    },
  };
}
