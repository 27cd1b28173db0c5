import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
} from '@apollo/client';
import { isSubscriptionOperation, print, relayStylePagination } from '@apollo/client/utilities';
import type { GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-sse';
import { Observable } from 'rxjs';

// Defaults: the gateway and keys of `npm run demo`.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';
const falKey = process.env.FAL_KEY ?? 'demo-fal-key:demo-fal-secret';
const difyAppKey = process.env.DIFY_APP_KEY ?? 'app-demo-workflow-key';
const keys = {
  'X-Fal-Authorization': `Key ${falKey}`,
  'X-Dify-Authorization': `Bearer ${difyAppKey}`,
};

/** Sends subscriptions over graphql-sse, as Apollo Client has no link of its own for it. */
class GraphQLSseLink extends ApolloLink {
  constructor(private readonly sse: Client<boolean>) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    const { query, variables, operationName, extensions } = operation;
    return new Observable((observer) =>
      this.sse.subscribe<Record<string, unknown>, Record<string, unknown>>(
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

export const client = new ApolloClient({
  link: ApolloLink.split(
    ({ query }) => isSubscriptionOperation(query),
    new GraphQLSseLink(
      createClient({
        url: `${gateway}/graphql/stream`,
        singleConnection: true,
        // A fresh object each time: the client writes its stream token into it.
        headers: () => ({ ...keys }),
        retryAttempts: 5,
      }),
    ),
    new HttpLink({ uri: `${gateway}/graphql`, headers: keys }),
  ),
  cache: new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          falLogs: relayStylePagination(['filter', 'order']),
          falRequests: relayStylePagination(['endpointIds', 'filter', 'orderBy']),
          workflowLogs: relayStylePagination(['filter', 'order']),
          timeline: relayStylePagination(['filter']),
        },
      },
      FalRequest: { fields: { logs: relayStylePagination(['minLevel', 'search', 'order']) } },
    },
  }),
});
