import { useQuery } from '@apollo/client/react';
import { useSearchParams } from 'react-router';
import { Chip, LineRow } from '../components/events';
import { Facts, Json } from '../components/Json';
import { Notices } from '../components/Notices';
import { RequestWithLogsDocument } from '../generated/graphql';
import { dateAndTime } from '../time';

/** A fal request: its facts, input and output, and its logs oldest first. */
export function RequestView() {
  const [params] = useSearchParams();
  const endpointId = params.get('endpoint') ?? '';
  const requestId = params.get('id') ?? '';
  const { data, error, loading, fetchMore } = useQuery(RequestWithLogsDocument, {
    variables: { endpointId, requestId },
    errorPolicy: 'all',
    notifyOnNetworkStatusChange: true,
  });
  const request = data?.falRequest;
  const logs = request?.logs;
  return (
    <section className="view detail">
      <h2>
        fal request <code>{requestId}</code>
      </h2>
      <Notices error={error} />
      {request === null && !error && <p className="empty">No such request of {endpointId}.</p>}
      {request && (
        <>
          <Facts
            facts={[
              ['Endpoint', request.endpointId],
              ['Status', <Chip kind="status" value={request.status ?? 'PENDING'} />],
              ['HTTP status', request.statusCode],
              ['Sent', dateAndTime(request.sentAt)],
              ['Started', dateAndTime(request.startedAt)],
              ['Ended', request.endedAt && dateAndTime(request.endedAt)],
              ['Duration', request.duration && `${request.duration.toFixed(2)} s`],
              ['Runner', request.runnerId],
            ]}
          />
          <div className="payloads">
            <Json title="Input" value={request.input} />
            <Json title="Output" value={request.output} />
          </div>
          <h3>Logs, oldest first</h3>
          <ol className="events" aria-label="Request logs">
            {logs?.edges.map(({ cursor, node }) => (
              <LineRow key={cursor} line={node} />
            ))}
            {logs?.edges.length === 0 && <li className="empty">No log lines.</li>}
          </ol>
          {logs?.pageInfo.hasNextPage && (
            <button
              disabled={loading}
              onClick={() => void fetchMore({ variables: { after: logs.pageInfo.endCursor } })}
            >
              Load newer lines
            </button>
          )}
        </>
      )}
      {loading && !request && <p className="empty">Loading…</p>}
    </section>
  );
}
