import { createHash } from 'node:crypto';
import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type Source,
} from 'graphql';
import { isAsyncIterable, isPromise, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { withContractCodes } from './error-contract.js';

const tracer = trace.getTracer('ai-logs-gateway');

const fromHeaders: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** A failure's contract code, as the client will read it. */
function codeOf(error: unknown): string {
  if (!(error instanceof GraphQLError)) return 'INTERNAL_SERVER_ERROR';
  const [coded] = withContractCodes({ errors: [error] }).errors ?? [];
  const code = coded?.extensions.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * The span of one GraphQL operation, a child of the client's `traceparent` when it sent one. It
 * ends once the operation has its answer (a subscription: once its stream ends) and after the
 * phase that produced it. It records the operation's name, type and document hash, and each
 * error's contract code: never the document, its variables, a result or an error message.
 */
class OperationSpan {
  readonly span: Span;
  /** The context the operation's phases, and the upstream calls they make, run in. */
  readonly context: Context;
  private readonly codes = new Set<string>();
  private answered = false;
  private ended = false;

  constructor(request: Request) {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, fromHeaders);
    this.span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.SERVER }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  describe(document: DocumentNode, operationName: string | null | undefined, hash: string) {
    const operation = getOperationAST(document, operationName);
    this.span.setAttribute('graphql.document.hash', hash);
    if (!operation) return;
    const name = operation.name?.value;
    this.span.setAttribute('graphql.operation.type', operation.operation);
    if (name) this.span.setAttribute('graphql.operation.name', name);
    this.span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
  }

  failed(errors: readonly unknown[]) {
    for (const error of errors) {
      const code = codeOf(error);
      this.codes.add(code);
      const { source, upstreamStatus } = (error as Partial<GraphQLError> | null)?.extensions ?? {};
      this.span.addEvent('graphql.error', {
        'graphql.error.code': code,
        ...(typeof source === 'string' && { 'upstream.source': source }),
        ...(typeof upstreamStatus === 'number' && { 'http.response.status_code': upstreamStatus }),
      });
    }
    if (this.codes.size === 0) return;
    const codes = [...this.codes];
    this.span.setAttribute('graphql.error.codes', codes);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(', ') });
  }

  /** The operation has its answer; the span ends with the phase that gave it. */
  answer(errors: readonly unknown[] = []) {
    this.failed(errors);
    this.answered = true;
  }

  endIfAnswered() {
    if (!this.answered || this.ended) return;
    this.ended = true;
    this.span.end();
  }
}

/**
 * An operation's answer: at once, or, for a stream (a subscription's events, a streamed page's
 * parts), each part pulled inside the operation's span, which ends with the stream.
 */
function streamedAnswer(
  operation: OperationSpan,
  result: ExecutionResult | AsyncIterable<ExecutionResult>,
  setResult: (result: AsyncIterableIterator<ExecutionResult>) => void,
) {
  if (!isAsyncIterable(result)) return void operation.answer(result.errors);
  setResult(pulledIn(result, operation.context));
  return {
    onNext: ({ result: event }: { result: ExecutionResult }) =>
      operation.failed(event.errors ?? []),
    onEnd: () => {
      operation.answer();
      operation.endIfAnswered();
    },
  };
}

/** A subscription's events, each pulled inside `active`, so that the live source it opens is traced there. */
function pulledIn<Value>(
  events: AsyncIterable<Value>,
  active: Context,
): AsyncIterableIterator<Value> {
  const iterator = events[Symbol.asyncIterator]();
  return {
    next: () => otelContext.with(active, () => iterator.next()),
    return: (value?: unknown) =>
      iterator.return?.(value) ?? Promise.resolve({ done: true, value: value as Value }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

type Phase = 'parse' | 'validate' | 'context' | 'execute' | 'subscribe';

/**
 * OpenTelemetry spans for GraphQL operations, over whichever transport brought them: one span
 * per operation with a child per phase (parse, validate, context, execute or subscribe); the
 * upstream calls and live streams of the operation are children of its phases. Placed after
 * `useUpstreamErrors` (it reads upstream errors' contract codes) and before the plugins that
 * refuse an operation before it runs (query limits, subscription limits).
 */
export function useTracing(): Plugin {
  /** Keyed by the operation's envelop context: one per operation, on every transport. */
  const operations = new WeakMap<object, OperationSpan>();
  const hashes = new WeakMap<DocumentNode, string>();

  const operationOf = (context: YogaInitialContext): OperationSpan => {
    let operation = operations.get(context);
    if (!operation) {
      operation = new OperationSpan(context.request);
      operations.set(context, operation);
    }
    return operation;
  };

  /** Runs a phase in a child span of the operation, inside it; one that throws answers the operation. */
  const phase =
    <Done extends Promise<void> | void>(name: Phase) =>
    ({ context }: { context: YogaInitialContext }, wrapped: () => Done): Done => {
      const operation = operationOf(context);
      const span = tracer.startSpan(`graphql.${name}`, {}, operation.context);
      const done = (error?: unknown) => {
        if (error !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(error) });
          operation.answer([error]);
        }
        span.end();
        operation.endIfAnswered();
      };
      return otelContext.with(trace.setSpan(operation.context, span), () => {
        let result: Done;
        try {
          result = wrapped();
        } catch (error) {
          done(error);
          throw error;
        }
        if (!isPromise(result)) return done() as Done;
        return result.then(
          () => done(),
          (error: unknown) => {
            done(error);
            throw error;
          },
        ) as Done;
      });
    };

  return {
    instrumentation: {
      parse: phase<void>('parse'),
      validate: phase<void>('validate'),
      context: phase<void>('context'),
      execute: phase<Promise<void> | void>('execute'),
      subscribe: phase<Promise<void> | void>('subscribe'),
    },
    onParse({ context, params }) {
      const source = params.source as string | Source;
      const text = typeof source === 'string' ? source : source.body;
      return ({ result }: { result: DocumentNode | Error | null }) => {
        if (!result || result instanceof Error) return;
        let hash = hashes.get(result);
        if (!hash) {
          hash = createHash('sha256').update(text).digest('hex');
          hashes.set(result, hash);
        }
        operationOf(context).describe(result, context.params.operationName, hash);
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        if (!valid) operationOf(context).answer(result);
      };
    },
    onExecute({ args }) {
      const operation = operationOf(args.contextValue);
      return {
        // A streamed page is a stream too: its later batches are read while it is written.
        onExecuteDone: ({ result, setResult }) => streamedAnswer(operation, result, setResult),
      };
    },
    onSubscribe({ args }) {
      const operation = operationOf(args.contextValue);
      return {
        onSubscribeResult: ({ result, setResult }) => streamedAnswer(operation, result, setResult),
        onSubscribeError: ({ error }) => operation.answer([error]),
      };
    },
  };
}
