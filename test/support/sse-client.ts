import { createClient, type Client, type ClientOptions } from 'graphql-sse';

export interface Received<T> {
  values: T[];
  errors: unknown[];
  completed: boolean;
  dispose(): void;
  /** Resolves once `count` values have arrived (or the subscription ended). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  ended: Promise<void>;
}

export function sseClient(
  url: string,
  mode: 'distinct' | 'single',
  headers: Record<string, string>,
  options: Pick<ClientOptions, 'fetchFn'> = {},
): Client<boolean> {
  return createClient({
    ...options,
    url: mode === 'single' ? `${url}/graphql/stream` : `${url}/graphql`,
    singleConnection: mode === 'single',
    // The client writes its stream token into the object it is given: never share one.
    headers: () => ({ ...headers }),
    retryAttempts: 0,
  });
}

/** Subscribes with the real graphql-sse client and records what the sink receives. */
export function subscribe<T>(
  client: Client<boolean>,
  query: string,
  variables: Record<string, unknown> = {},
  pick: (data: Record<string, unknown>) => T,
): Received<T> {
  let settle: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (settle = resolve));
  const waiters = new Set<() => void>();
  const received: Received<T> = {
    values: [],
    errors: [],
    completed: false,
    ended,
    dispose: () => undefined,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.values.length >= count || received.completed || received.errors.length) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received.values);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${received.values.length} of ${count} values arrived`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
  const notify = () => waiters.forEach((waiter) => waiter());
  received.dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) received.errors.push(...result.errors);
        if (result.data) received.values.push(pick(result.data));
        notify();
      },
      error: (error) => {
        received.errors.push(error);
        settle();
        notify();
      },
      complete: () => {
        received.completed = true;
        settle();
        notify();
      },
    },
  );
  return received;
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
