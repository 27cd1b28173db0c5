import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const ids = new WeakMap<Request, string>();
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `x-request-id` when it is a sane token, otherwise a
 * fresh UUID. It is echoed in the response, put on every log line, and sent upstream.
 */
export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      ids.set(request, given && ACCEPTABLE.test(given) ? given : randomUUID());
    },
    onResponse({ request, response }) {
      const id = ids.get(request);
      if (id) response.headers.set('x-request-id', id);
    },
  };
}

export function requestIdOf(request: Request): string {
  return ids.get(request) ?? randomUUID();
}
