import { Readable } from 'node:stream';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
} from 'graphql';
import { isAsyncIterable, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import {
  sliceRoot,
  STREAMED_ROOT_FIELDS,
  streamingRoot,
  type StreamedPageRest,
} from '../schema/streamed-pages.js';
import { withContractCodes } from './error-contract.js';

/** Where a streamed document puts its page: `{ rootKey: { __typename?, edgesKey: [...], ... } }`. */
interface PageShape {
  field: FieldNode;
  rootKey: string;
  edgesKey: string;
  /** The connection's response keys before `edges` (only `__typename` may be there). */
  keysBefore: readonly string[];
}

type Execute = (args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

/** What one part of a streamed page adds to the response. */
const PART = Symbol('streamed page part');
type PartKind = 'open' | 'edges' | 'errors' | 'end';
type Part = ExecutionResult & { [PART]: PartKind };

const JSON_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * Streams big connection pages out while their later upstream pages are still being read.
 *
 * A query on `graphqlEndpoint` whose only root field is a streamed connection (see
 * `STREAMED_ROOT_FIELDS`) selecting `edges` before anything but `__typename`, asked for as JSON,
 * is executed once per batch of edges (a few hundred, from one upstream page) with the executor
 * already chosen (compiled or not), and each batch's edges are written as soon as they are
 * executed. The next batch is made only when the client has taken what was written (the socket
 * drains), so the gateway holds about one upstream page and one batch's answer at a time,
 * whatever the size of the page.
 *
 * The status is decided by the first batch: when it fails, or its field's value is null, the
 * answer is the ordinary one. After that the answer is 200 and one JSON document, byte for byte
 * the ordinary one's when nothing fails; errors (with their contract codes and masking, paths
 * counted across batches) come after `data` instead of before it. When a later batch fails, its
 * edges are left out, the page ends with the edges that went out (`hasNextPage` true and
 * `endCursor` their last cursor, so the page can be resumed) and the failure is in `errors`
 * with the field's path. Any other document runs as usual.
 */
export function useStreamedPages(graphqlEndpoint: string): Plugin {
  const shapes = new WeakMap<DocumentNode, Map<string | undefined, PageShape | undefined>>();
  const streamed = new WeakMap<Request, { shape: PageShape; mediaType: string }>();

  function shapeOf(document: DocumentNode, operationName: string | undefined) {
    let byName = shapes.get(document);
    if (!byName) {
      byName = new Map();
      shapes.set(document, byName);
    }
    if (!byName.has(operationName)) byName.set(operationName, pageShape(document, operationName));
    return byName.get(operationName);
  }

  const onExecute = ({
    args,
    executeFn,
    setExecuteFn,
  }: {
    args: ExecutionArgs;
    executeFn: Execute;
    setExecuteFn: (
      execute: (args: ExecutionArgs) => Promise<ExecutionResult | AsyncIterable<ExecutionResult>>,
    ) => void;
  }) => {
    // The document first: it is known per document, while the rest is read from each request.
    const shape = shapeOf(args.document, args.operationName ?? undefined);
    if (!shape) return;
    const request = (args.contextValue as Partial<YogaInitialContext>).request;
    if (!request || new URL(request.url).pathname !== graphqlEndpoint) return;
    const mediaType = jsonMediaTypeOf(request);
    if (!mediaType) return;
    setExecuteFn(async (executionArgs) => {
      const result = await streamedExecution(executionArgs, executeFn, shape);
      if (isAsyncIterable(result)) streamed.set(request, { shape, mediaType });
      return result;
    });
  };
  return {
    onExecute,
    onResultProcess(payload) {
      const page = streamed.get(payload.request);
      if (!page || !isAsyncIterable(payload.result)) return;
      payload.setResultProcessor(
        (parts, fetchAPI) =>
          new fetchAPI.Response(
            Readable.from(pageText(parts as AsyncIterable<Part>, page.shape), {
              objectMode: false,
              // Read the next part only once the last one was taken by the socket.
              highWaterMark: 0,
            }) as unknown as BodyInit,
            { status: 200, headers: { 'Content-Type': `${page.mediaType}; charset=utf-8` } },
          ),
        page.mediaType,
      );
    },
  };
}

/** The JSON media type Yoga would answer `request` in, if it accepts one. */
function jsonMediaTypeOf(request: Request): string | undefined {
  let chosen: string | undefined;
  const accepted = (request.headers.get('accept') ?? '*/*').replace(/\s/g, '').toLowerCase();
  // Yoga takes the first the client lists (the last set wins, over the reversed list).
  for (const entry of accepted.split(',').reverse()) {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    for (const candidate of JSON_MEDIA_TYPES) {
      if (matches(mediaType, candidate)) chosen = candidate;
    }
  }
  return chosen;
}

/** Whether what a client accepts (`*` a wildcard) covers a media type. */
function matches(accepted: string, mediaType: string): boolean {
  const [acceptedType, acceptedSubtype] = accepted.split('/');
  const [type, subtype] = mediaType.split('/');
  return (
    (acceptedType === '*' || acceptedType === type) &&
    (acceptedSubtype === '*' || acceptedSubtype === subtype)
  );
}

/** The document's page shape, when it is one the plugin streams. */
function pageShape(
  document: DocumentNode,
  operationName: string | undefined,
): PageShape | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== OperationTypeNode.QUERY) return undefined;
  const [field, ...others] = operation.selectionSet.selections;
  if (others.length > 0 || field?.kind !== Kind.FIELD || field.directives?.length) return undefined;
  if (!STREAMED_ROOT_FIELDS.has(field.name.value) || !field.selectionSet) return undefined;
  const keys: string[] = [];
  const names = new Map<string, string>();
  for (const selection of field.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return undefined;
    const key = selection.alias?.value ?? selection.name.value;
    if (!names.has(key)) keys.push(key);
    names.set(key, selection.name.value);
  }
  const edgesKeys = keys.filter((key) => names.get(key) === 'edges');
  if (edgesKeys.length !== 1) return undefined;
  const edgesKey = edgesKeys[0]!;
  const keysBefore = keys.slice(0, keys.indexOf(edgesKey));
  if (keysBefore.some((key) => names.get(key) !== '__typename')) return undefined;
  return { field, rootKey: field.alias?.value ?? field.name.value, edgesKey, keysBefore };
}

/**
 * Executes the first batch; when the field opened a stream and its value is there, the answer
 * becomes the page's parts, each executed when the response asks for it.
 */
async function streamedExecution(
  args: ExecutionArgs,
  execute: Execute,
  shape: PageShape,
): Promise<ExecutionResult | AsyncGenerator<Part>> {
  let rest: StreamedPageRest | undefined;
  const first = await execute({ ...args, rootValue: streamingRoot({ open: (r) => (rest = r) }) });
  if (!rest) return first;
  if (!edgesOf(first, shape)) {
    await rest.cancel();
    return first;
  }
  return pageParts(first, rest, (rootValue) => execute({ ...args, rootValue }), shape);
}

function edgesOf(result: ExecutionResult, shape: PageShape): unknown[] | undefined {
  const connection = result.data?.[shape.rootKey] as Record<string, unknown> | null | undefined;
  return connection?.[shape.edgesKey] as unknown[] | undefined;
}

async function* pageParts(
  first: ExecutionResult,
  rest: StreamedPageRest,
  run: (rootValue: object) => ExecutionResult | Promise<ExecutionResult>,
  shape: PageShape,
): AsyncGenerator<Part> {
  let ended = false;
  try {
    yield { ...first, [PART]: 'open' };
    let offset = edgesOf(first, shape)!.length;
    let complete = true;
    for (;;) {
      let slice: object | undefined;
      try {
        slice = await rest.next();
      } catch (error) {
        yield { errors: [fieldError(error, shape)], [PART]: 'errors' };
        complete = false;
        break;
      }
      if (!slice) break;
      const result = await run(sliceRoot(slice));
      const errors = result.errors?.map((error) => rebased(error, shape, offset));
      const edges = edgesOf(result, shape);
      if (!edges) {
        yield { errors, [PART]: 'errors' };
        complete = false;
        break;
      }
      offset += edges.length;
      yield { data: result.data, errors, [PART]: 'edges' };
    }
    yield { ...(await run(sliceRoot(rest.end(complete)))), [PART]: 'end' };
    ended = true;
  } finally {
    if (!ended) await rest.cancel();
  }
}

/** A failed read of the rest of the page, as the field's own error (the executor's shape). */
function fieldError(error: unknown, shape: PageShape): GraphQLError {
  const cause = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(cause.message, {
    nodes: [shape.field],
    path: [shape.rootKey],
    originalError: cause,
  });
}

/** An error of a batch, its path counting edges from the start of the page. */
function rebased(error: GraphQLError, shape: PageShape, offset: number): GraphQLError {
  const path = error.path;
  if (offset === 0 || path?.[1] !== shape.edgesKey || typeof path[2] !== 'number') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: [path[0]!, path[1], path[2] + offset, ...path.slice(3)],
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/** The response's text, a part at a time: the same JSON the ordinary answer has. */
async function* pageText(parts: AsyncIterable<Part>, shape: PageShape): AsyncGenerator<string> {
  const errors: unknown[] = [];
  let edgesOut = 0;
  for await (const part of parts) {
    const { errors: partErrors } = withContractCodes(part);
    if (partErrors) errors.push(...partErrors.map(withoutInternals));
    const connection = part.data?.[shape.rootKey] as Record<string, unknown> | null | undefined;
    let text = '';
    if (part[PART] === 'open') {
      text += `{"data":{${JSON.stringify(shape.rootKey)}:{`;
      for (const key of shape.keysBefore) {
        text += `${JSON.stringify(key)}:${JSON.stringify(connection?.[key])},`;
      }
      text += `${JSON.stringify(shape.edgesKey)}:[`;
    }
    if (part[PART] === 'open' || part[PART] === 'edges') {
      for (const edge of connection?.[shape.edgesKey] as unknown[]) {
        text += `${edgesOut > 0 ? ',' : ''}${JSON.stringify(edge)}`;
        edgesOut += 1;
      }
    }
    if (part[PART] === 'end') {
      text += ']';
      const keysAfter = Object.keys(connection ?? {}).slice(shape.keysBefore.length + 1);
      for (const key of keysAfter)
        text += `,${JSON.stringify(key)}:${JSON.stringify(connection![key])}`;
      text += '}}';
      text += errors.length > 0 ? `,"errors":${JSON.stringify(errors)}}` : '}';
    }
    if (text) yield text;
  }
}

/** As Yoga writes an error: without the extensions only the server reads. */
function withoutInternals(error: GraphQLError) {
  const json = error.toJSON();
  if (!json.extensions) return json;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions;
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}
