import type { ErrorLike } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client';
import { useEffect } from 'react';
import { useConnection } from '../connection';
import type { TimelinePageQuery } from '../generated/graphql';
import {
  isKeyProblem,
  sourceProblems,
  SOURCE_LABELS,
  UPSTREAM_LABELS,
  UPSTREAM_OF,
  type SourceProblem,
} from '../sources';

/** Leaves an upstream out of Live and History once the gateway says its key is missing or refused. */
export function useRefusals(error: ErrorLike | undefined) {
  const { refuse } = useConnection();
  useEffect(() => sourceProblems(error).filter(isKeyProblem).forEach(refuse), [error, refuse]);
}

/** The timeline's word for sources it left out (a key missing when the walk began). */
export const unavailableProblems = (
  unavailable: NonNullable<TimelinePageQuery['timeline']>['unavailable'] = [],
) =>
  unavailable.map(({ source, code, message }): SourceProblem => ({
    upstream: UPSTREAM_OF[source],
    code,
    message: `${SOURCE_LABELS[source]}s are left out: ${message}`,
  }));

/**
 * One message per upstream in trouble, saying what to do, with the gateway's own words; then
 * any error that names no upstream. Never a blank page.
 */
export function Notices({
  problems = [],
  error,
}: {
  problems?: readonly SourceProblem[];
  error?: ErrorLike;
}) {
  const { connection } = useConnection();
  const fromError = sourceProblems(error);
  const all = [...problems, ...fromError].filter(
    (problem, index, list) => list.findIndex((p) => p.upstream === problem.upstream) === index,
  );
  const unnamed =
    error && fromError.length === 0
      ? CombinedGraphQLErrors.is(error)
        ? error.errors.map(({ message }) => message).join('; ')
        : error.message
      : undefined;
  return (
    <>
      {all.map((problem) => {
        const name = UPSTREAM_LABELS[problem.upstream];
        const hasKey = problem.upstream === 'fal' ? connection.falKey : connection.difyKey;
        const title = !isKeyProblem(problem)
          ? `${name} failed (${problem.code}).`
          : hasKey
            ? `${name} refused the key (${problem.code}): check it under Keys.`
            : `No ${name} key: add one under Keys.`;
        return (
          <p
            key={problem.upstream}
            role="alert"
            className="notice"
            data-upstream={problem.upstream}
          >
            <strong>{title}</strong> <span>{problem.message}</span>
          </p>
        );
      })}
      {unnamed && (
        <p role="alert" className="notice">
          <strong>The gateway answered with an error.</strong> <span>{unnamed}</span>
        </p>
      )}
    </>
  );
}
