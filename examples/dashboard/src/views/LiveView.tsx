import { useSubscription } from '@apollo/client/react';
import { useLayoutEffect, useRef, useState } from 'react';
import { EventRow, type TimelineNode } from '../components/events';
import { FilterBar } from '../components/FilterBar';
import { Notices, useRefusals } from '../components/Notices';
import { useConnection } from '../connection';
import { useFilters, useTimelineFilter } from '../filters';
import {
  LiveTimelineDocument,
  type RunChange,
  type TimelineFilter,
  type TimelineSource,
} from '../generated/graphql';
import { micros } from '../time';

/** The list keeps the newest events only, so that a long-open tab stays light. */
const MAX_EVENTS = 2000;

interface LiveEvent {
  id: number;
  /** The same for an event and its replay after a resume. */
  replayKey: string;
  at: string;
  source: TimelineSource;
  change?: RunChange | null;
  node: TimelineNode;
}

function eventKey(at: string, change: RunChange | null | undefined, node: TimelineNode): string {
  switch (node.__typename) {
    case 'FalLogLine':
      return `line ${micros(at)} ${node.app} ${node.jobId ?? node.revision} ${node.message}`;
    case 'FalRequest':
    case 'WorkflowLog':
      return `${node.__typename} ${node.id} ${change}`;
  }
}

/**
 * Where a resumed subscription starts: the newest `at` of the source that is furthest behind,
 * so that no source misses an event (what it replays from there is skipped by `replayKey`);
 * with no event yet, when the list opened, by this browser's clock.
 */
function resumePoint(events: readonly LiveEvent[], openedAt: string): string {
  const newest = new Map<TimelineSource, string>();
  for (const { source, at } of events) {
    const known = newest.get(source);
    if (!known || micros(at) > micros(known)) newest.set(source, at);
  }
  return [...newest.values()].sort((a, b) => micros(a) - micros(b))[0] ?? openedAt;
}

/** How many times each event from `since` on is held: a replay skips that many copies. */
function heldSince(events: readonly LiveEvent[], since: string) {
  const held = new Map<string, number>();
  for (const { replayKey, at } of events)
    if (micros(at) >= micros(since)) held.set(replayKey, (held.get(replayKey) ?? 0) + 1);
  return held;
}

function LiveList({ filter }: { filter: TimelineFilter }) {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [since, setSince] = useState<string>();
  /** Why the list is not following the timeline (paused, or ended), if it is not. */
  const [stopped, setStopped] = useState<string>();
  const replay = useRef(new Map<string, number>());
  const nextId = useRef(0);
  const [openedAt] = useState(() => new Date().toISOString());
  const [error, setError] = useState<Error>();
  useRefusals(error);

  useSubscription(LiveTimelineDocument, {
    variables: { filter: since ? { ...filter, since } : filter },
    skip: stopped !== undefined,
    fetchPolicy: 'no-cache',
    ignoreResults: true,
    onData: ({ data: { data } }) => {
      const update = data?.timeline;
      if (!update) return;
      const replayKey = eventKey(update.at, update.change, update.node);
      const copies = replay.current.get(replayKey) ?? 0;
      if (copies > 0) return void replay.current.set(replayKey, copies - 1);
      const event = { ...update, replayKey, id: nextId.current++ };
      setEvents((list) => [...list.slice(1 - MAX_EVENTS), event]);
    },
    onError: (failure) => {
      setError(failure);
      setStopped(`Stopped: ${failure.message}`);
    },
    onComplete: () => setStopped((why) => why ?? 'The gateway ended the live timeline.'),
  });

  const resume = () => {
    const from = resumePoint(events, openedAt);
    replay.current = heldSince(events, from);
    setSince(from);
    setError(undefined);
    setStopped(undefined);
  };

  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    if (list.current && following.current) list.current.scrollTop = list.current.scrollHeight;
  }, [events]);

  return (
    <>
      <Notices error={error} />
      <div className="status-bar">
        <span className={stopped ? 'pulse' : 'pulse live'} />
        <span className="status" role="status">
          {stopped ?? 'Live'} · {events.length} events
        </span>
        {stopped ? (
          <button onClick={resume}>Resume</button>
        ) : (
          <button onClick={() => setStopped('Paused')}>Pause</button>
        )}
      </div>
      <ol
        ref={list}
        className="events live"
        aria-label="Live timeline"
        onScroll={({ currentTarget: { scrollHeight, scrollTop, clientHeight } }) => {
          following.current = scrollHeight - scrollTop - clientHeight < 40;
        }}
      >
        {events.length === 0 && (
          <li className="empty">{stopped ? 'No events.' : 'Waiting for the first event…'}</li>
        )}
        {events.map(({ id, at, source, change, node }) => (
          <EventRow key={id} at={at} source={source} change={change} node={node} />
        ))}
      </ol>
    </>
  );
}

/** The merged live timeline, oldest at the top, following new events as they arrive. */
export function LiveView() {
  const [filters, setFilters] = useFilters();
  const filter = useTimelineFilter(filters);
  const { refused } = useConnection();
  return (
    <section className="view">
      <FilterBar filters={filters} onChange={setFilters} />
      <Notices problems={Object.values(refused)} />
      {filter ? (
        // A new filter is a new subscription and a new list.
        <LiveList key={JSON.stringify(filter)} filter={filter} />
      ) : (
        <p className="empty">Choose at least one source whose key the gateway accepts.</p>
      )}
    </section>
  );
}
