import { diag, DiagLogLevel } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';
import type { TracingSettings } from './config.js';

/** The OpenTelemetry SDK registered for this process. */
export interface Tracing {
  /** Exports the spans not yet exported, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK: spans are batched and exported over OTLP/HTTP, with the
 * endpoint, headers, timeout, batching, sampler (parent-based always-on by default) and service
 * name (`ai-logs-gateway` unless `OTEL_SERVICE_NAME` says otherwise) the standard `OTEL_*`
 * variables give. Clients' W3C trace context is continued and sent upstream. The entry loads
 * this module only when tracing is configured: otherwise no SDK is loaded and the OpenTelemetry
 * API the gateway calls stays a no-op. The SDK's own warnings (an export that failed) go to the
 * log.
 */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  const sdkLog = logger.child({ component: 'opentelemetry' });
  const ignore = () => undefined;
  diag.setLogger(
    {
      error: (message) => sdkLog.warn(message),
      warn: (message) => sdkLog.warn(message),
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    DiagLogLevel.WARN,
  );
  const provider = new NodeTracerProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': 'ai-logs-gateway' }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { shutdown: () => provider.shutdown() };
}
