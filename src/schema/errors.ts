import { GraphQLError } from 'graphql';
import type { GatewayContext, ReadScope } from '../context.js';
import type { UpstreamSource } from '../errors.js';

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

/** The client's credential for `source` and the request's call options, for one read. */
export function readScope(context: GatewayContext, source: UpstreamSource): ReadScope {
  return { authorization: requireCredential(context, source), call: context.call };
}
