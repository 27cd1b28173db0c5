import { CombinedGraphQLErrors, type ErrorLike } from '@apollo/client';
import type { TimelineSource } from './generated/graphql';

/** The upstreams behind the gateway, as errors name them (`extensions.source`). */
export type Upstream = 'fal' | 'dify';

export const SOURCES: readonly TimelineSource[] = ['FAL_LOGS', 'FAL_REQUESTS', 'DIFY_WORKFLOWS'];

export const SOURCE_LABELS: Record<TimelineSource, string> = {
  FAL_LOGS: 'fal log',
  FAL_REQUESTS: 'fal request',
  DIFY_WORKFLOWS: 'Dify run',
};

export const UPSTREAM_OF: Record<TimelineSource, Upstream> = {
  FAL_LOGS: 'fal',
  FAL_REQUESTS: 'fal',
  DIFY_WORKFLOWS: 'dify',
};

export const UPSTREAM_LABELS: Record<Upstream, string> = { fal: 'fal', dify: 'Dify' };

/** What went wrong with one upstream, in the gateway's words. */
export interface SourceProblem {
  upstream: Upstream;
  code: string;
  message: string;
}

/** The errors of a response that name an upstream; others (bad input, network) have none. */
export function sourceProblems(error: ErrorLike | undefined): SourceProblem[] {
  if (!CombinedGraphQLErrors.is(error)) return [];
  return error.errors.flatMap(({ message, extensions }) => {
    const { source, code } = extensions ?? {};
    return (source === 'fal' || source === 'dify') && typeof code === 'string'
      ? [{ upstream: source, code, message }]
      : [];
  });
}

/** A key the upstream (or the gateway, for a missing one) refused: retrying will not help. */
export const isKeyProblem = ({ code }: SourceProblem) =>
  code === 'UNAUTHENTICATED' || code === 'FORBIDDEN';
