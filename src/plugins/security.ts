import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { CORSOptions, FetchAPI, Plugin } from 'graphql-yoga';

/**
 * A request with none of these headers and no JSON content type is one a cross-site form or
 * image could send without a CORS preflight, and is refused with 403. They are Yoga's own,
 * Apollo's opt-in preflight header and the one Apollo iOS and Kotlin send; Apollo Client for
 * the web, GraphiQL and graphql-sse send JSON.
 */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'];

/** Response headers a browser page on an allowed origin may read. */
const EXPOSED_HEADERS = ['x-request-id'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Cross-origin access for browsers. No origins: none at all (the gateway sends no CORS
 * headers). `*`: any origin. Credentials (cookies) are never allowed: the upstream keys travel
 * in headers, which a page sends only when it has them itself. A refused origin gets no CORS
 * headers, rather than `null`, which sandboxed pages would match.
 */
export function corsPolicy(
  allowedOrigins: readonly string[],
): false | ((request: Request) => CORSOptions) {
  if (allowedOrigins.length === 0) return false;
  const anyOrigin = allowedOrigins.includes('*');
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !(anyOrigin || allowedOrigins.includes(origin))) return false;
    return {
      // Yoga echoes the request's origin for '*' and adds `Vary: Origin`; it is allowed here.
      origin: '*',
      credentials: false,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    };
  };
}

function bodyTooLarge(fetchAPI: FetchAPI, maxBytes: number): Response {
  const error = {
    message: `Request body exceeds ${maxBytes} bytes`,
    extensions: { code: 'BAD_USER_INPUT' },
  };
  return fetchAPI.Response.json({ errors: [error] }, { status: 413 });
}

/**
 * A body sent without a declared length (chunked), read whole up to `maxBytes`: the request
 * with that body, or undefined past the limit.
 */
async function boundedBody(
  request: Request,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  fetchAPI: FetchAPI,
): Promise<Request | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  const { url, method, headers, signal } = request;
  return new fetchAPI.Request(url, { method, headers, signal, body: Buffer.concat(chunks) });
}

/**
 * Bodies over `maxBytes` get 413 before they are parsed. A declared `Content-Length` is checked
 * on every route as the request arrives, and Node's parser reads no more than it declares; a
 * chunked body on the GraphQL endpoint is counted as it is read. (Yoga's own
 * `maxRequestBodySize` is off: it pipes every body, declared or not, through a counting stream,
 * which cost a request tens of microseconds.) The graphql-sse stream endpoint reads bodies
 * itself, uncounted, so there a body must declare its length (graphql-sse's client always does).
 */
function useRequestBodyLimit(maxBytes: number, streamEndpoint: string): Plugin {
  return {
    onRequest(payload) {
      const { request, url, fetchAPI } = payload;
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        payload.endResponse(bodyTooLarge(fetchAPI, maxBytes));
      } else if (
        declared === null &&
        request.headers.has('transfer-encoding') &&
        url.pathname === streamEndpoint
      ) {
        payload.endResponse(new fetchAPI.Response(null, { status: 411 }));
      }
    },
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const { body } = request;
      if (!requestParser || !body || request.headers.has('content-length')) return;
      setRequestParser(async () => {
        const bounded = await boundedBody(request, body, maxBytes, fetchAPI);
        return bounded ? requestParser(bounded) : bodyTooLarge(fetchAPI, maxBytes);
      });
    },
  };
}

/** Refuses `__schema` and `__type` (`__typename` stays), as graphql-js defines it. */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export interface RequestSafety {
  maxBodyBytes: number;
  introspection: boolean;
  streamEndpoint: string;
}

/** Body size limit, CSRF prevention and, when switched off, no introspection. */
export function useRequestSafety(settings: RequestSafety): Plugin[] {
  return [
    useRequestBodyLimit(settings.maxBodyBytes, settings.streamEndpoint),
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    ...(settings.introspection ? [] : [useNoIntrospection()]),
  ];
}
