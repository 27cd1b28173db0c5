import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { MaskError } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { UpstreamError, type UpstreamSource } from '../upstreams/errors.js';

export function badUserInput(field: string, problem: string): GraphQLError {
  return new GraphQLError(`${field}: ${problem}`, {
    extensions: { code: 'BAD_USER_INPUT', field },
  });
}

const CREDENTIAL_HINT: Record<UpstreamSource, string> = {
  fal: 'send `Authorization: Key <fal key>` or `X-Fal-Authorization`',
  dify: 'send `Authorization: Bearer <Dify app key>` or `X-Dify-Authorization`',
};

/** The client's credential for `source`, or an UNAUTHENTICATED error before any upstream call. */
export function requireCredential(context: GatewayContext, source: UpstreamSource): string {
  const credential = context.credentials[source];
  if (credential) return credential;
  throw new GraphQLError(`No ${source} credential: ${CREDENTIAL_HINT[source]}`, {
    extensions: { code: 'UNAUTHENTICATED', source },
  });
}

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

/**
 * Upstream failures keep their classification; errors the gateway raised on purpose keep
 * their code; anything else is an internal error and is masked. Request-level errors
 * (unparsable query, unknown field, bad variable) are the client's input: BAD_USER_INPUT.
 */
export const maskError: MaskError = (error, message, isDev) => {
  if (error instanceof GraphQLError) {
    if (error.originalError instanceof UpstreamError) {
      return upstreamGraphQLError(error, error.originalError);
    }
    if (error.extensions.code === undefined && !error.originalError && !error.path) {
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
      });
    }
  }
  return yogaMaskError(error, message, isDev);
};
