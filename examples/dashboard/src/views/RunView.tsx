import { useQuery } from '@apollo/client/react';
import { useParams } from 'react-router';
import { Chip } from '../components/events';
import { Facts, Json } from '../components/Json';
import { Notices } from '../components/Notices';
import { RunDetailDocument } from '../generated/graphql';
import { dateAndTime } from '../time';

/** A Dify workflow run: its status and figures, inputs and outputs. */
export function RunView() {
  const { runId = '' } = useParams();
  const { data, error, loading } = useQuery(RunDetailDocument, {
    variables: { id: runId },
    errorPolicy: 'all',
  });
  const run = data?.workflowRun;
  return (
    <section className="view detail">
      <h2>
        Dify workflow run <code>{runId}</code>
      </h2>
      <Notices error={error} />
      {loading && <p className="empty">Loading…</p>}
      {run === null && !error && (
        <p className="empty">The app behind this Dify key has no such run.</p>
      )}
      {run && (
        <>
          <Facts
            facts={[
              ['Status', <Chip kind="status" value={run.status} />],
              ['Error', run.error],
              ['Created', dateAndTime(run.createdAt)],
              ['Finished', run.finishedAt && dateAndTime(run.finishedAt)],
              ['Elapsed', run.elapsedTime !== null && `${run.elapsedTime?.toFixed(2)} s`],
              ['Tokens', run.totalTokens],
              ['Steps', run.totalSteps],
            ]}
          />
          <div className="payloads">
            <Json title="Inputs" value={run.inputs} />
            <Json title="Outputs" value={run.outputs} />
          </div>
        </>
      )}
    </section>
  );
}
