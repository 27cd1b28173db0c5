import { createCounter, createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import { Histogram, type Counter, type Registry } from 'prom-client';

/** The label of an operation whose name is not shown. */
export const OTHER_OPERATION = '_other';
const ANONYMOUS_OPERATION = 'Anonymous';
/** A GraphQL name short enough to be a label value. */
const SHOWABLE_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * The operation label of every GraphQL metric. Clients choose operation names, so a name is
 * shown only when it is a short GraphQL name and one of the first `maxNames` this process has
 * shown; any other reads `_other`. The label values clients can create are thus bounded in size
 * and number. The names of persisted documents' operations (`persistedNames`) are the
 * operator's, bounded by the manifest: they are always shown and take none of the `maxNames`.
 * This is the one place a label is derived from an operation.
 */
export class OperationLabels {
  private readonly shown = new Set<string>();

  constructor(
    private readonly maxNames: number,
    private readonly persistedNames: ReadonlySet<string> = new Set(),
  ) {}

  of(name: unknown): string {
    if (name === undefined || name === null || name === '') return ANONYMOUS_OPERATION;
    if (typeof name !== 'string') return OTHER_OPERATION;
    if (this.persistedNames.has(name)) return name;
    if (!SHOWABLE_NAME.test(name)) return OTHER_OPERATION;
    if (!this.shown.has(name)) {
      if (this.shown.size >= this.maxNames) return OTHER_OPERATION;
      this.shown.add(name);
    }
    return name;
  }
}

interface OperationParams {
  operationName?: unknown;
  operationType?: string;
  errorPhase?: string;
}

const OPERATION_LABELS = ['operationName', 'operationType'] as const;
type OperationLabel = (typeof OPERATION_LABELS)[number];
type ErrorPhase = 'parse' | 'validate' | 'context' | 'execute';

/**
 * graphql-yoga's Prometheus metrics, with the same names, help and phases, and labels that carry
 * no client text: the operation name through `OperationLabels`, and neither the request URL
 * (`graphql_yoga_http_duration`) nor an error's response path (`graphql_envelop_error_result`),
 * which holds the client's aliases. A subscription's phase is observed by
 * `useSubscriptionMetrics`, not by the Prometheus plugin.
 */
export function useGraphQLMetrics(registry: Registry, labels: OperationLabels): Plugin[] {
  const operation = (params: OperationParams): Record<OperationLabel, string> => ({
    operationName: labels.of(params.operationName),
    operationType: params.operationType ?? 'unknown',
  });
  const histogram = <Phase extends string>(
    name: string,
    help: string,
    phases: [Phase, ...Phase[]],
    observed = true,
  ) =>
    createHistogram<Phase, OperationLabel, OperationParams>({
      registry,
      histogram: { name, help, labelNames: OPERATION_LABELS },
      fillLabelsFn: operation,
      phases,
      ...(!observed && { shouldObserve: () => false }),
    });
  const subscribePhase = histogram(
    'graphql_envelop_phase_subscribe',
    'Time spent on running the GraphQL "subscribe" function',
    ['subscribe'],
    false,
  );
  const requestDuration = histogram(
    'graphql_envelop_request_duration',
    'Time spent on running the GraphQL operation from parse to execute',
    ['execute'],
  );
  const requests = createCounter<'execute', OperationLabel, OperationParams>({
    registry,
    counter: {
      name: 'graphql_envelop_request',
      help: 'Counts the amount of GraphQL requests executed through Envelop',
      labelNames: OPERATION_LABELS,
    },
    fillLabelsFn: operation,
    phases: ['execute'],
  });
  const errors = createCounter<ErrorPhase, OperationLabel | 'phase', OperationParams>({
    registry,
    counter: {
      name: 'graphql_envelop_error_result',
      help: 'Counts the amount of errors reported from all phases',
      labelNames: [...OPERATION_LABELS, 'phase'],
    },
    fillLabelsFn: (params: OperationParams) => ({
      ...operation(params),
      phase: params.errorPhase ?? 'unknown',
    }),
    phases: ['parse', 'validate', 'context', 'execute'],
  });

  const prometheus = usePrometheus({
    registry,
    endpoint: '/metrics',
    metrics: {
      // Parse and validation are cached and building a context takes microseconds: timing them
      // (and keeping a summary beside the duration histogram) cost a request more than they do.
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_execute: histogram(
        'graphql_envelop_phase_execute',
        'Time spent on running the GraphQL "execute" function',
        ['execute'],
      ),
      graphql_envelop_phase_subscribe: subscribePhase,
      graphql_envelop_request_duration: requestDuration,
      graphql_envelop_request: requests,
      graphql_envelop_error_result: errors,
      // The schema deprecates nothing, and counting deprecated fields walks every document on
      // every request.
      graphql_envelop_deprecated_field: false,
      // Measured by `useHttpDuration`, the same way at less cost.
      graphql_yoga_http_duration: false,
    },
  });
  return [
    prometheus,
    useHttpDuration(registry, operation),
    useSubscriptionMetrics(operation, {
      durations: [subscribePhase.histogram, requestDuration.histogram],
      requests: requests.counter,
      errors: errors.counter,
    }),
  ];
}

/**
 * The subscription phase of the metrics above, observed as the Prometheus plugin observes it: a
 * subscription's duration (both histograms) and its count when it ends, and the errors of its
 * results as they come (phase `execute`, as the plugin labels them) or of its source (phase
 * `subscribe`). Its hooks keep the subscription's labels and start time only, where the plugin's
 * keep the subscription's whole context alive, request included, for as long as it is open.
 */
function useSubscriptionMetrics(
  operation: (params: OperationParams) => Record<OperationLabel, string>,
  metrics: {
    durations: Histogram<OperationLabel>[];
    requests: Counter<OperationLabel>;
    errors: Counter<OperationLabel | 'phase'>;
  },
): Plugin {
  return {
    onSubscribe({ args }) {
      const { document, operationName } = args as ExecutionArgs;
      const defined = getOperationAST(document, operationName);
      const labels = operation({
        operationName: defined?.name?.value,
        operationType: defined?.operation,
      });
      const started = Date.now();
      const countErrors = (count: number, phase: string) => {
        if (count > 0) metrics.errors.inc({ ...labels, phase }, count);
      };
      const ended = () => {
        const seconds = (Date.now() - started) / 1000;
        for (const duration of metrics.durations) duration.observe(labels, seconds);
        metrics.requests.inc(labels);
      };
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            countErrors(result.errors?.length ?? 0, 'execute');
            ended();
            return;
          }
          return {
            onNext: ({ result: next }) => countErrors(next.errors?.length ?? 0, 'execute'),
            onEnd: ended,
          };
        },
        onSubscribeError: () => countErrors(1, 'subscribe'),
      };
    },
  };
}

/**
 * `graphql_yoga_http_duration` as graphql-yoga's Prometheus plugin measures it (from the request
 * to its response, for each request whose document parsed; labels without the URL). The
 * plugin's own hook copies the server context and its parameters into new objects on every
 * response, which V8 builds on a slow path: that cost more than all the rest of the histogram.
 */
function useHttpDuration(
  registry: Registry,
  operation: (params: OperationParams) => Record<OperationLabel, string>,
): Plugin {
  const histogram = new Histogram({
    name: 'graphql_yoga_http_duration',
    help: 'Time spent on HTTP connection',
    labelNames: [...OPERATION_LABELS, 'method', 'statusCode'],
    registers: [registry],
  });
  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, Record<OperationLabel, string>>();
  return {
    onRequest({ request }) {
      started.set(request, Date.now());
    },
    onParse({ context }) {
      const { request } = context as { request?: Request };
      if (!request) return;
      return ({ result, context: { params } }) => {
        const document = result as DocumentNode | Error;
        if (document instanceof Error) return;
        const defined = getOperationAST(document, params.operationName);
        operations.set(
          request,
          operation({ operationName: defined?.name?.value, operationType: defined?.operation }),
        );
      };
    },
    onResponse({ request, response }) {
      const start = started.get(request);
      const labels = operations.get(request);
      if (start === undefined || !labels) return;
      histogram.observe(
        {
          operationName: labels.operationName,
          operationType: labels.operationType,
          method: request.method,
          statusCode: response.status,
        },
        (Date.now() - start) / 1000,
      );
    },
  };
}
