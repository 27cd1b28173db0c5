import { useState } from 'react';
import {
  createHashRouter,
  Navigate,
  NavLink,
  Outlet,
  RouterProvider,
  useLocation,
} from 'react-router';
import { KeysPanel } from './components/KeysPanel';
import { useConnection } from './connection';
import { HistoryView } from './views/HistoryView';
import { LineView } from './views/LineView';
import { LiveView } from './views/LiveView';
import { RequestView } from './views/RequestView';
import { RunView } from './views/RunView';

function KeyState({ name, present }: { name: string; present: boolean }) {
  return (
    <span className={present ? 'key-state present' : 'key-state'}>
      {name} {present ? 'key set' : 'no key'}
    </span>
  );
}

function Layout() {
  const [editingKeys, setEditingKeys] = useState(false);
  const { connection } = useConnection();
  const { pathname, search } = useLocation();
  // Live and History share their filters: switching keeps them.
  const filters = pathname === '/live' || pathname === '/history' ? search : '';
  return (
    <div className="app">
      <header>
        <h1>
          Logs <span>dashboard</span>
        </h1>
        <nav>
          <NavLink to={{ pathname: '/live', search: filters }}>Live</NavLink>
          <NavLink to={{ pathname: '/history', search: filters }}>History</NavLink>
        </nav>
        <div className="connection">
          <span className="gateway" title="Gateway">
            {connection.gatewayUrl}
          </span>
          <KeyState name="fal" present={connection.falKey !== ''} />
          <KeyState name="Dify" present={connection.difyKey !== ''} />
          <button onClick={() => setEditingKeys((open) => !open)} aria-expanded={editingKeys}>
            Keys
          </button>
        </div>
      </header>
      {editingKeys && <KeysPanel onClose={() => setEditingKeys(false)} />}
      <main>
        <Outlet />
      </main>
    </div>
  );
}

/** Every view has its own address (in the hash, so any static host serves the page). */
const router = createHashRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/live" replace /> },
      { path: 'live', element: <LiveView /> },
      { path: 'history', element: <HistoryView /> },
      { path: 'request', element: <RequestView /> },
      { path: 'line', element: <LineView /> },
      { path: 'run/:runId', element: <RunView /> },
    ],
  },
]);

export const App = () => <RouterProvider router={router} />;
