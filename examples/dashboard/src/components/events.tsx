import { memo } from 'react';
import { Link } from 'react-router';
import type {
  LogLineFieldsFragment,
  RunChange,
  TimelinePageQuery,
  TimelineSource,
} from '../generated/graphql';
import { SOURCE_LABELS } from '../sources';
import { clock } from '../time';

/** One event of the timeline, as the History query and the Live subscription select it. */
export type TimelineNode = NonNullable<TimelinePageQuery['timeline']>['edges'][number]['node'];

/** A log line's own page: its neighbours, labels and request (a line has no id to link to). */
export function lineLink(line: LogLineFieldsFragment): string {
  const params = new URLSearchParams({ at: line.timestamp, rev: line.revision });
  if (line.jobId) params.set('job', line.jobId);
  params.set('msg', line.message);
  return `/line?${params}`;
}

export const requestLink = (endpointId: string, requestId: string) =>
  `/request?${new URLSearchParams({ endpoint: endpointId, id: requestId })}`;

function linkTo(node: TimelineNode): string | undefined {
  switch (node.__typename) {
    case 'FalLogLine':
      return lineLink(node);
    case 'FalRequest':
      return requestLink(node.endpointId, node.requestId);
    case 'WorkflowLog':
      return node.workflowRun ? `/run/${node.workflowRun.runId}` : undefined;
  }
}

export function Chip({ kind, value }: { kind: 'level' | 'status'; value: string }) {
  return <span className={`chip ${kind}-${value}`}>{value.replace('_', ' ')}</span>;
}

const seconds = (value: number | null | undefined) =>
  value === null || value === undefined ? undefined : `${value.toFixed(2)} s`;
const joined = (...parts: Array<string | number | null | undefined | false>) =>
  parts.filter((part) => part !== undefined && part !== null && part !== false).join(' · ');

function EventBody({ node, change }: { node: TimelineNode; change: RunChange | null | undefined }) {
  switch (node.__typename) {
    case 'FalLogLine':
      return (
        <>
          <Chip kind="level" value={node.level} />
          <span className="subject">{node.app}</span>
          <span className="message">{node.message}</span>
        </>
      );
    case 'FalRequest':
      return (
        <>
          <Chip kind="status" value={node.status ?? 'PENDING'} />
          <span className="subject">{node.endpointId}</span>
          <span className="summary">
            {joined(change?.toLowerCase(), node.requestId, node.statusCode, seconds(node.duration))}
          </span>
        </>
      );
    case 'WorkflowLog': {
      const run = node.workflowRun;
      return (
        <>
          <Chip kind="status" value={run?.status ?? 'UNKNOWN'} />
          <span className="subject">workflow run</span>
          <span className="summary">
            {joined(
              change?.toLowerCase(),
              run?.runId,
              seconds(run?.elapsedTime),
              typeof run?.totalTokens === 'number' && `${run.totalTokens} tokens`,
              run?.error,
            )}
          </span>
        </>
      );
    }
  }
}

/** A row of the Live and History lists: when, from where, and what; it opens the event. */
export const EventRow = memo(function EventRow(props: {
  at: string;
  source: TimelineSource;
  change?: RunChange | null;
  node: TimelineNode;
}) {
  const { at, source, change, node } = props;
  const to = linkTo(node);
  const cells = (
    <>
      <time dateTime={at} title={at}>
        {clock(at)}
      </time>
      <span className={`badge source-${source}`}>{SOURCE_LABELS[source]}</span>
      <EventBody node={node} change={change} />
    </>
  );
  return (
    <li className="event" data-source={source}>
      {to ? <Link to={to}>{cells}</Link> : <div>{cells}</div>}
    </li>
  );
});

/** A log line in a request's logs or a line's context; `current` marks the line in context. */
export function LineRow({ line, current }: { line: LogLineFieldsFragment; current?: boolean }) {
  return (
    <li className={current ? 'event line current' : 'event line'} aria-current={current}>
      <Link to={lineLink(line)}>
        <time dateTime={line.timestamp} title={line.timestamp}>
          {clock(line.timestamp)}
        </time>
        <Chip kind="level" value={line.level} />
        <span className="message">{line.message}</span>
      </Link>
    </li>
  );
}
