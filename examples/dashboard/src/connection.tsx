import { ApolloProvider } from '@apollo/client/react';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { createApolloClient } from './apollo';
import { storeConnection, storedConnection, type Connection, type Defaults } from './settings';
import type { SourceProblem, Upstream } from './sources';

interface ConnectionState {
  connection: Connection;
  defaultApps: string[];
  setConnection(connection: Connection): void;
  /** Upstreams whose key is missing or refused, until the keys change: views leave them out. */
  refused: Partial<Record<Upstream, SourceProblem>>;
  refuse(problem: SourceProblem): void;
}

const ConnectionContext = createContext<ConnectionState | null>(null);

export function useConnection(): ConnectionState {
  const state = useContext(ConnectionContext);
  if (!state) throw new Error('useConnection outside ConnectionProvider');
  return state;
}

/** The gateway and keys in use, and an Apollo client made for them. */
export function ConnectionProvider({
  defaults,
  children,
}: {
  defaults: Defaults;
  children: ReactNode;
}) {
  const [connection, setConnectionState] = useState(() => storedConnection(defaults));
  const [apollo, setApollo] = useState(() => createApolloClient(connection));
  const [refused, setRefused] = useState<ConnectionState['refused']>({});

  const setConnection = useCallback(
    (next: Connection) => {
      storeConnection(next);
      apollo.dispose();
      setApollo(createApolloClient(next));
      setConnectionState(next);
      setRefused({});
    },
    [apollo],
  );
  const refuse = useCallback(
    (problem: SourceProblem) =>
      setRefused((known) =>
        known[problem.upstream] ? known : { ...known, [problem.upstream]: problem },
      ),
    [],
  );
  const state = useMemo(
    () => ({ connection, defaultApps: defaults.apps, setConnection, refused, refuse }),
    [connection, defaults.apps, setConnection, refused, refuse],
  );
  return (
    <ConnectionContext.Provider value={state}>
      <ApolloProvider client={apollo.client}>{children}</ApolloProvider>
    </ConnectionContext.Provider>
  );
}
