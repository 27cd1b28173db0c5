import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConnectionProvider } from './connection';
import { loadDefaults } from './settings';
import './styles.css';

void loadDefaults().then((defaults) =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ConnectionProvider defaults={defaults}>
        <App />
      </ConnectionProvider>
    </StrictMode>,
  ),
);
