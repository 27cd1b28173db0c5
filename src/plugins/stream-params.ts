import { GraphQLError } from 'graphql';
import type { FetchAPI } from 'graphql-yoga';
import type { PersistedRequestParams } from './persisted-documents.js';

/** The params an operation runs with, given those it came with; throws a GraphQLError to refuse it. */
export type ParamsToRun = (
  params: PersistedRequestParams,
  request: Request,
) => PersistedRequestParams;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonOrUndefined(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The operation params a GET's URL or a POST's JSON body carries, as graphql-sse reads them (and
 * `documentId`); undefined for a body graphql-sse refuses as unreadable anyway.
 */
async function paramsOf(request: Request): Promise<PersistedRequestParams | undefined> {
  if (request.method === 'POST') {
    const body = jsonOrUndefined(await request.clone().text());
    return isRecord(body) ? (body as PersistedRequestParams) : undefined;
  }
  const search = new URL(request.url).searchParams;
  const extensions = jsonOrUndefined(search.get('extensions'));
  return {
    query: search.get('query') ?? undefined,
    documentId: search.get('documentId') ?? undefined,
    extensions: isRecord(extensions) ? extensions : undefined,
  };
}

/** A copy of `request` carrying the query text of `params`. */
function withQuery(request: Request, params: PersistedRequestParams, fetchAPI: FetchAPI): Request {
  const { signal } = request;
  if (request.method === 'POST') {
    const headers = new fetchAPI.Headers(request.headers);
    headers.delete('content-length');
    return new fetchAPI.Request(request.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(params),
      signal,
    });
  }
  const url = new URL(request.url);
  url.searchParams.set('query', params.query ?? '');
  url.searchParams.delete('documentId');
  return new fetchAPI.Request(url, { headers: request.headers, signal });
}

/**
 * What graphql-sse should be handed for a GET or POST carrying an operation: the request itself,
 * or a copy whose query text `paramsToRun` changed (graphql-sse reads the params itself, from
 * the request, and takes none without query text); or the refusal.
 */
export async function withParamsToRun(
  request: Request,
  paramsToRun: ParamsToRun,
  fetchAPI: FetchAPI,
): Promise<Request | GraphQLError> {
  const params = await paramsOf(request);
  if (!params) return request;
  try {
    const toRun = paramsToRun(params, request);
    return toRun.query === params.query ? request : withQuery(request, toRun, fetchAPI);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
}
