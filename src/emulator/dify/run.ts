import { sendError, sendOk } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { difyError } from './errors.js';
import type { DifyStore } from './store.js';

/** `GET /workflows/run/{id}` */
export function runRoute(store: DifyStore) {
  return (ex: Exchange, tenant: string): void => {
    const run = store.run(tenant, ex.params.id ?? '');
    if (!run) return sendError(ex, difyError(404, 'Workflow run not found.'));
    sendOk(ex, run);
  };
}
