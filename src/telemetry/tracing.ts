/**
 * OpenTelemetry traces, off unless an OTLP endpoint is configured. The SDK does the work: a
 * BasicTracerProvider with a batching span processor and the OTLP/HTTP exporter (or, in tests,
 * whatever exporter is passed). The provider is not registered globally, so an embedding
 * application's own OpenTelemetry setup is left alone; what is registered, when no other is, is
 * the AsyncLocalStorage context manager, so the admin API's request span is the active context
 * when a route calls a station (src/admin/trace-hooks.ts).
 *
 * Spans (attributes: ocpp.station_id, ocpp.action, ocpp.message_id):
 * - `ocpp.request <Action>` (SERVER): a station CALL from its frame's arrival to its answer on the
 *   wire, with children `ocpp.decode`, `ocpp.station` (the station actor), `ocpp.handler` (the
 *   handler module; absent for what the core answers itself).
 * - `ocpp.call <Action>` (CLIENT): a CSMS call from the API (its parent is the active context, e.g.
 *   `HTTP POST /api/stations/:id/calls/:action`) to its answer, with child `ocpp.call.wire` from
 *   the frame going out to the station's answer; the time before it is the wait in the queue.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { loggerFor } from '../log';

const log = loggerFor('telemetry');

export { ATTR_ACTION, ATTR_MESSAGE_ID, ATTR_OUTCOME, ATTR_STATION_ID } from './attributes';

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. `http://otel-collector:4318/v1/traces`. */
  readonly endpoint?: string;
  /** Headers sent with every export (e.g. an API key of a hosted collector). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `service.name` of the resource. Default `ocpp-csms`. */
  readonly serviceName?: string;
  /** Share of traces kept (0–1), by trace id; a child follows its parent's decision. Default 1. */
  readonly sampleRatio?: number;
  /** Export to this exporter instead of OTLP, span by span (tests: the SDK's InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Export what is buffered, then stop. */
  shutdown(): Promise<void>;
}

export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: options.endpoint, headers: { ...options.headers } });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'ocpp-csms' }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  // Registered only when nobody else registered one (setGlobalContextManager refuses a second).
  const registered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (options.endpoint) log.info('traces exported', { endpoint: options.endpoint, sampleRatio: options.sampleRatio ?? 1 });
  return {
    tracer: provider.getTracer('ocpp-csms'),
    async shutdown() {
      await provider.shutdown();
      if (registered) context.disable();
    },
  };
}
