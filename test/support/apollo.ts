import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  NetworkStatus,
  type OperationVariables,
  type TypedDocumentNode,
  type TypePolicies,
} from '@apollo/client';
import { isSubscriptionOperation, print, relayStylePagination } from '@apollo/client/utilities';
import type { GraphQLFormattedError } from 'graphql';
import type { Client as SseClient } from 'graphql-sse';
import { Observable } from 'rxjs';
import { sseClient } from './sse-client.js';

/** Sends subscriptions over graphql-sse (either connection mode, as the given client is set up). */
export class GraphQLSseLink extends ApolloLink {
  constructor(readonly client: SseClient<boolean>) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    const { query, variables, operationName, extensions } = operation;
    return new Observable((observer) =>
      this.client.subscribe<Record<string, unknown>, Record<string, unknown>>(
        { query: print(query), variables, operationName, extensions },
        {
          next: (result) => observer.next(result),
          complete: () => observer.complete(),
          error: (error) =>
            observer.error(
              error instanceof Error
                ? error
                : new CombinedGraphQLErrors({
                    errors: (Array.isArray(error) ? error : [error]) as GraphQLFormattedError[],
                  }),
            ),
        },
      ),
    );
  }
}

/**
 * Every connection merges its pages into one list, one per combination of its filters and, for
 * the log lists, its order: a newest-first and an oldest-first list are two lists.
 */
export const gatewayTypePolicies: TypePolicies = {
  Query: {
    fields: {
      falLogs: relayStylePagination(['filter', 'order']),
      falRequests: relayStylePagination(['endpointIds', 'filter', 'orderBy']),
      workflowLogs: relayStylePagination(['filter', 'order']),
      timeline: relayStylePagination(['filter']),
    },
  },
  FalRequest: { fields: { logs: relayStylePagination(['minLevel', 'search', 'order']) } },
};

/** Apollo Client as an app would set it up: HTTP for queries, graphql-sse for subscriptions. */
export function createApolloClient(
  baseUrl: string,
  headers: Record<string, string>,
  sseMode: 'distinct' | 'single' = 'distinct',
): ApolloClient {
  const http = new HttpLink({ uri: `${baseUrl}/graphql`, headers });
  const sse = new GraphQLSseLink(sseClient(baseUrl, sseMode, headers));
  return new ApolloClient({
    link: ApolloLink.split(({ query }) => isSubscriptionOperation(query), sse, http),
    cache: new InMemoryCache({ typePolicies: gatewayTypePolicies }),
  });
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor?: string | null;
}

/**
 * Watches `query`, then calls `fetchMore` with the last `endCursor` until no page is left, as
 * an infinite list would. Resolves to the merged result the watcher last emitted and the number
 * of pages fetched.
 */
export async function fetchEveryPage<
  TData,
  TVariables extends OperationVariables & { after?: string | null },
>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  pageInfoOf: (data: TData) => PageInfo | undefined,
): Promise<{ data: TData; pages: number }> {
  const watched = client.watchQuery({ query, variables });
  let awaiting: { resolve(data: TData): void; reject(error: Error): void } | undefined;
  const nextCompleteResult = () =>
    new Promise<TData>((resolve, reject) => (awaiting = { resolve, reject }));
  let data = nextCompleteResult();
  const subscription = watched.subscribe({
    next: (result) => {
      if (result.error) awaiting?.reject(result.error);
      else if (result.networkStatus === NetworkStatus.ready && result.dataState === 'complete')
        awaiting?.resolve(result.data);
    },
  });
  try {
    let pages = 1;
    for (let info = pageInfoOf(await data); info?.hasNextPage; info = pageInfoOf(await data)) {
      if (pages > 1_000) throw new Error('fetchMore never reached the last page');
      data = nextCompleteResult();
      await watched.fetchMore({ variables: { after: info.endCursor } as Partial<TVariables> });
      pages += 1;
    }
    return { data: await data, pages };
  } finally {
    subscription.unsubscribe();
  }
}
