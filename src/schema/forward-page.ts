/** A forward-only Relay page over edges whose cursors may be signed lazily. */
export function forwardPage<Edge extends { cursor: string }>(edges: Edge[], hasNextPage: boolean) {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
