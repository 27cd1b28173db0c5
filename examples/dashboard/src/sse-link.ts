import { ApolloLink, CombinedGraphQLErrors } from '@apollo/client';
import { print } from '@apollo/client/utilities';
import type { GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-sse';
import { Observable } from 'rxjs';

/** Sends subscriptions over graphql-sse, as Apollo Client has no link of its own for it. */
export class GraphQLSseLink extends ApolloLink {
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
