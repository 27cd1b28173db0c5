import { forwardPage, ForwardPageInfo } from './connections.js';

/**
 * How a big page goes out while its later upstream pages are still being read. The streamed
 * pages plugin executes the document once per batch of edges: the first execution's root value
 * carries a `PageStream`, which the connection's field opens with the rest of its page; later
 * executions carry the slice of the page the field returns as it is.
 */
export interface PageStream {
  open(rest: StreamedPageRest): void;
}

/** The rest of a page whose first batch of edges went out with the first execution. */
export interface StreamedPageRest {
  /** The connection holding the next batch of edges, or undefined once all went out. Rejects when a read fails. */
  next(): Promise<object | undefined>;
  /**
   * The connection with no edges whose page info covers every edge handed out: the page's own
   * when `complete`, otherwise (a batch failed) ending at the last batch before the failed one,
   * with `hasNextPage` so that the same page can be resumed from its `endCursor`.
   */
  end(complete: boolean): object;
  /** Stops reading: the client went away, or the page was not streamed after all. */
  cancel(): Promise<void>;
}

/** Root fields whose resolver streams its page when the root value asks for it. */
export const STREAMED_ROOT_FIELDS: ReadonlySet<string> = new Set(['falLogs']);

const PAGE_STREAM = Symbol('page stream');
const PAGE_SLICE = Symbol('page slice');

interface StreamRoot {
  [PAGE_STREAM]?: PageStream;
  [PAGE_SLICE]?: object;
}

export const streamingRoot = (stream: PageStream): StreamRoot => ({ [PAGE_STREAM]: stream });
export const sliceRoot = (slice: object): StreamRoot => ({ [PAGE_SLICE]: slice });

/** The slice of a streamed page this execution serves, if it serves one. */
export function pageSliceOf(root: unknown): object | undefined {
  return (root as StreamRoot | undefined)?.[PAGE_SLICE];
}

/** Edges that arrive in batches (never empty), each from one upstream read; `last` when no batch follows. */
export interface EdgeBatch<Edge> {
  edges: Edge[];
  last: boolean;
}

/**
 * A forward page read in batches. Unless the root value carries a page stream (and more than one
 * batch is coming) the batches are collected into one page; otherwise the first batch is
 * returned and the rest handed to the stream, read one batch each time it asks.
 */
export async function batchedForwardPage<Edge extends { cursor: string }>(
  root: unknown,
  batches: AsyncGenerator<EdgeBatch<Edge>, { hasNextPage: boolean }>,
) {
  const stream = (root as StreamRoot | undefined)?.[PAGE_STREAM];
  const first = await batches.next();
  if (!stream || first.done || first.value.last) {
    const edges: Edge[] = [];
    for (let step = first; ; step = await batches.next()) {
      if (step.done) return forwardPage(edges, step.value.hasNextPage);
      edges.push(...step.value.edges);
    }
  }
  const firstEdge = first.value.edges[0]!;
  // Invariant: `delivered` is the last edge of the batches that went out; `pending` that of the
  // batch handed to the stream and not yet known to have gone out (the stream asks for the next
  // batch only after the previous one went out).
  let delivered = first.value.edges.at(-1)!;
  let pending: Edge | undefined;
  let hasNextPage = false;
  stream.open({
    async next() {
      delivered = pending ?? delivered;
      pending = undefined;
      const step = await batches.next();
      if (step.done) {
        hasNextPage = step.value.hasNextPage;
        return undefined;
      }
      pending = step.value.edges.at(-1);
      return forwardPage(step.value.edges, false);
    },
    end(complete) {
      const last = complete ? (pending ?? delivered) : delivered;
      return {
        edges: [],
        pageInfo: new ForwardPageInfo(
          complete ? hasNextPage : true,
          () => firstEdge.cursor,
          () => last.cursor,
        ),
      };
    },
    async cancel() {
      await batches.return({ hasNextPage: false });
    },
  });
  return forwardPage(first.value.edges, false);
}
