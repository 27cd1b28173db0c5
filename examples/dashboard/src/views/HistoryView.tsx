import { useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useRef } from 'react';
import { EventRow } from '../components/events';
import { FilterBar } from '../components/FilterBar';
import { LevelHistogram } from '../components/LevelHistogram';
import { Notices, unavailableProblems, useRefusals } from '../components/Notices';
import { useConnection } from '../connection';
import { useFilters, useTimelineFilter, WINDOWS } from '../filters';
import { TimelinePageDocument, type TimelineFilter } from '../generated/graphql';

/**
 * Calls `onVisible` when the returned element is in view: when it scrolls into view, and again
 * whenever `watch` changes while it still is (a page too short to scroll).
 */
function useOnVisible<T extends Element>(onVisible: () => void, watch: unknown) {
  const element = useRef<T>(null);
  const latest = useRef(onVisible);
  latest.current = onVisible;
  useEffect(() => {
    if (!element.current) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) latest.current();
    });
    observer.observe(element.current);
    return () => observer.disconnect();
  }, [watch]);
  return element;
}

function HistoryList({ filter }: { filter: TimelineFilter }) {
  const { refused } = useConnection();
  const { data, error, loading, fetchMore } = useQuery(TimelinePageDocument, {
    variables: { filter },
    errorPolicy: 'all',
    notifyOnNetworkStatusChange: true,
  });
  useRefusals(error);
  const timeline = data?.timeline;
  const edges = timeline?.edges ?? [];
  const { hasNextPage = false, endCursor } = timeline?.pageInfo ?? {};
  const loadOlder = () => {
    if (hasNextPage && !loading) void fetchMore({ variables: { after: endCursor } });
  };
  const end = useOnVisible<HTMLLIElement>(loadOlder, edges.length);
  const levels = edges.flatMap(({ node }) =>
    node.__typename === 'FalLogLine' ? [node.level] : [],
  );

  return (
    <>
      <Notices
        problems={[...Object.values(refused), ...unavailableProblems(timeline?.unavailable)]}
        error={error}
      />
      <LevelHistogram levels={levels} />
      <ol className="events" aria-label="History">
        {edges.map((edge) => (
          <EventRow key={edge.cursor} {...edge} />
        ))}
        <li ref={end} className="empty">
          {loading
            ? 'Loading…'
            : hasNextPage
              ? 'Scroll for older events'
              : `${edges.length} events: the whole window`}
        </li>
      </ol>
    </>
  );
}

/** The timeline of a window, newest first, with older pages loaded as you scroll. */
export function HistoryView() {
  const [filters, setFilters] = useFilters();
  const filter = useTimelineFilter(filters);
  const { refused } = useConnection();
  // The window's start is fixed when it is chosen; the gateway pins its end at the first page.
  const since = useMemo(
    () => new Date(Date.now() - WINDOWS[filters.window]).toISOString(),
    [filters.window],
  );
  return (
    <section className="view">
      <FilterBar filters={filters} onChange={setFilters} withWindow />
      {filter ? (
        <HistoryList filter={{ ...filter, since }} />
      ) : (
        <>
          <Notices problems={Object.values(refused)} />
          <p className="empty">Choose at least one source whose key the gateway accepts.</p>
        </>
      )}
    </section>
  );
}
