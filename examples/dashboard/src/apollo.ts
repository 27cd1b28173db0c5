import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { isSubscriptionOperation, relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-sse';
import { keyHeaders, type Connection } from './settings';
import { GraphQLSseLink } from './sse-link';

/** One client per gateway and keys: queries over HTTP, live data over graphql-sse. */
export function createApolloClient(connection: Connection): {
  client: ApolloClient;
  dispose: () => void;
} {
  const headers = keyHeaders(connection);
  const sse = createClient({
    url: `${connection.gatewayUrl}/graphql/stream`,
    singleConnection: true,
    // A fresh object each time: the client writes its stream token into it.
    headers: () => ({ ...headers }),
    retryAttempts: 5,
  });
  const client = new ApolloClient({
    link: ApolloLink.split(
      ({ query }) => isSubscriptionOperation(query),
      new GraphQLSseLink(sse),
      new HttpLink({ uri: `${connection.gatewayUrl}/graphql`, headers }),
    ),
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { timeline: relayStylePagination(['filter']) } },
        FalRequest: { fields: { logs: relayStylePagination(['order', 'minLevel', 'search']) } },
      },
    }),
  });
  return {
    client,
    dispose: () => {
      client.stop();
      sse.dispose();
    },
  };
}
