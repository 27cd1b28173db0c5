/** A Relay connection as the gateway answers it, every pageInfo field selected. */
export interface Connection<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}
