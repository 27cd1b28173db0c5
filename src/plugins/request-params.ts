import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';

/** A request parameter the client got wrong: HTTP 400, the parameter named in the message. */
function badParam(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

const kindOf = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/**
 * graphql-yoga and graphql-sse check `query`, `variables` and `extensions` themselves but take
 * any `operationName`, and one that is not a string (a list nested 400,000 deep) reaches code
 * that turns it into a string.
 */
export function operationNameError(params: { operationName?: unknown }): GraphQLError | undefined {
  const { operationName } = params;
  if (operationName == null || typeof operationName === 'string') return undefined;
  return badParam(
    `Expected "operationName" param to be a string, but given ${kindOf(operationName)}.`,
  );
}

function jsonParam(search: URLSearchParams, name: 'variables' | 'extensions'): unknown {
  const text = search.get(name);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badParam(`Expected "${name}" param to be JSON.`);
  }
}

/** URL-encoded parameters (a GET's query string, a form's body) as graphql-yoga reads them. */
function urlEncodedParams(search: URLSearchParams): GraphQLParams {
  return {
    operationName: search.get('operationName') || undefined,
    query: search.get('query') || undefined,
    variables: jsonParam(search, 'variables') as GraphQLParams['variables'],
    extensions: jsonParam(search, 'extensions') as GraphQLParams['extensions'],
  };
}

const FORM = 'application/x-www-form-urlencoded';

function isForm(request: Request): boolean {
  const type = request.headers.get('content-type')?.split(',')[0];
  return request.method === 'POST' && (type === FORM || !!type?.startsWith(`${FORM};`));
}

/**
 * A malformed request parameter is the client's error (400 naming it), never an internal one:
 * URL-encoded `variables` and `extensions` that are not JSON (graphql-yoga's own reading lets
 * the SyntaxError through as a 500), and an `operationName` that is not a string.
 */
export function useRequestParamChecks(): Plugin {
  return {
    onRequestParse({ request, url, setRequestParser }) {
      if (request.method === 'GET') {
        setRequestParser(() => urlEncodedParams(url.searchParams));
      } else if (isForm(request)) {
        setRequestParser(async (form) => urlEncodedParams(new URLSearchParams(await form.text())));
      }
    },
    onParams({ params }) {
      const error = operationNameError(params);
      if (error) throw error;
    },
  };
}
