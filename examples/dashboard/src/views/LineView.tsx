import { useQuery } from '@apollo/client/react';
import { Link, useSearchParams } from 'react-router';
import { LineRow, requestLink } from '../components/events';
import { Facts } from '../components/Json';
import { Notices } from '../components/Notices';
import { LineInContextDocument } from '../generated/graphql';
import { justAfter } from '../time';

/** A log line between its neighbours (same runner, or same app revision), with its labels. */
export function LineView() {
  const [params] = useSearchParams();
  const at = params.get('at') ?? '';
  const jobId = params.get('job');
  const message = params.get('msg');
  const { data, error, loading } = useQuery(LineInContextDocument, {
    variables: {
      filter: {
        since: at,
        until: justAfter(at),
        revision: params.get('rev'),
        ...(jobId && { jobId }),
      },
    },
    errorPolicy: 'all',
  });
  const lines = data?.falLogs?.edges.map(({ node }) => node) ?? [];
  const line = lines.find((each) => each.message === message) ?? lines[0];
  return (
    <section className="view detail">
      <h2>Log line in context</h2>
      <Notices error={error} />
      {loading && <p className="empty">Loading…</p>}
      {!loading && !line && !error && <p className="empty">This line is no longer there.</p>}
      {line && (
        <>
          <Facts
            facts={[
              ['App', line.app],
              ['Revision', line.revision],
              ['Runner', line.jobId],
              [
                'Request',
                line.request && (
                  <Link to={requestLink(line.request.endpointId, line.request.requestId)}>
                    {line.request.requestId}
                  </Link>
                ),
              ],
            ]}
          />
          <ol className="events context" aria-label="Line in context">
            {line.context.before.map((each, index) => (
              <LineRow key={`before ${index}`} line={each} />
            ))}
            <LineRow line={line} current />
            {line.context.after.map((each, index) => (
              <LineRow key={`after ${index}`} line={each} />
            ))}
          </ol>
          <h3>Labels</h3>
          <Facts facts={line.labels.map(({ key, value }) => [key, value])} />
        </>
      )}
    </section>
  );
}
