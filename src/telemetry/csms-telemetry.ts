/**
 * The telemetry sink of a running CSMS: Prometheus metrics (metrics.ts), OpenTelemetry traces
 * (tracing.ts), or both. One `StationHandle` per registered station holds the few fields a scrape
 * reads and, with traces on, the spans of that station's requests in progress (at most a few,
 * since a station sends its next CALL once the previous one is answered, OCPP-J Part 4 §4.1.1).
 *
 *     const telemetry = new CsmsTelemetry({ metrics: {}, tracer: startTracing({ endpoint }).tracer });
 *     const csms = await startCsms({ telemetry });
 *     await telemetry.metrics?.text();   // the Prometheus text format
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { CallErrorResponse, CallNotAllowedError, CallTimeoutError, OcppError, QueueFullError, StationOfflineError } from '../errors';
import { CsmsMetrics, type MetricsOptions, type StationSnapshot } from './metrics';
import { supervisionLevel, type CallLike, type CallOutcome, type Settle, type StationTelemetry, type Telemetry } from './telemetry';
import { ATTR_ACTION, ATTR_MESSAGE_ID, ATTR_OUTCOME, ATTR_STATION_ID } from './attributes';

export interface CsmsTelemetryOptions {
  /** Collect Prometheus metrics (absent: none). */
  readonly metrics?: MetricsOptions;
  /** Record spans with this tracer (absent: none). */
  readonly tracer?: Tracer;
}

/** Request spans kept per station at most; older ones (their socket went away unanswered) are ended. */
const MAX_TRACED_REQUESTS = 64;

/** A CALLERROR frame as the codec writes it: `[4,"<id>","<code>",...`. */
const CALLERROR_CODE = /^\[4,"(?:[^"\\]|\\.)*","([A-Za-z]+)"/;

export class CsmsTelemetry implements Telemetry {
  readonly enabled = true;
  readonly metrics?: CsmsMetrics;
  readonly tracer?: Tracer;
  private readonly stations = new Set<StationHandle>();

  constructor(options: CsmsTelemetryOptions) {
    this.tracer = options.tracer;
    this.metrics = options.metrics ? new CsmsMetrics(() => this.stations, options.metrics) : undefined;
  }

  station(id: string, slot: { readonly transport?: unknown }): StationTelemetry {
    const handle = new StationHandle(this, id, slot);
    this.stations.add(handle);
    return handle;
  }

  /** @internal A station handle that was released. */
  forget(handle: StationHandle): void {
    this.stations.delete(handle);
  }

  csmsCall<T>(stationId: string, action: string, done: Settle<T>): Settle<T> {
    return new TracedCall(this, stationId, action, done as Settle<unknown>) as Settle<T>;
  }

  supervisorRestarted(supervisor: string): void {
    this.metrics?.supervisorRestarted(supervisionLevel(supervisor));
  }

  supervisorEscalated(supervisor: string): void {
    this.metrics?.supervisorEscalated(supervisionLevel(supervisor));
  }

  handshakeRefused(reason: string, securityProfile: number | undefined): void {
    this.metrics?.handshakeRefused(reason, securityProfile);
  }

  storeCommitted(ms: number, statements: number, ok: boolean): void {
    this.metrics?.storeCommitted(ms, statements, ok);
  }
}

/** The spans of one station request in progress. */
interface RequestTrace {
  readonly root: Span;
  readonly context: Context;
  readonly action: string;
  station?: Span;
  handler?: Span;
}

/** performance.now() as the epoch milliseconds OpenTelemetry takes for a start time. */
function epochMs(now: number): number {
  return performance.timeOrigin + now;
}

class StationHandle implements StationTelemetry, StationSnapshot {
  status?: string;
  private queue?: readonly unknown[];
  private requests?: ReadonlyMap<string, unknown>;
  /** When the frame being processed arrived (the connection handles one frame at a time). */
  private lastFrameAt = 0;
  /** When the outstanding CSMS call went on the wire (one at a time per station, Part 4 §4.1.1). */
  private callSentAt = 0;
  private traces?: Map<string, RequestTrace>;

  constructor(
    private readonly sink: CsmsTelemetry,
    private readonly id: string,
    private readonly slot: { readonly transport?: unknown },
  ) {}

  get connected(): boolean {
    return this.slot.transport !== undefined;
  }

  get queued(): number {
    return this.queue?.length ?? 0;
  }

  get inProgress(): number {
    return this.requests?.size ?? 0;
  }

  watchConnection(queue: readonly unknown[], inProgress: ReadonlyMap<string, unknown>): void {
    this.queue = queue;
    this.requests = inProgress;
  }

  stationStatus(status: string): void {
    this.status = status;
  }

  frameReceived(): void {
    this.lastFrameAt = performance.now();
    this.sink.metrics?.framesReceived.inc();
  }

  frameSent(text: string): void {
    const metrics = this.sink.metrics;
    if (!metrics) return;
    metrics.framesSent.inc();
    // Only a CALLERROR ('4' after the bracket) is looked into.
    if (text.charCodeAt(1) === 52) {
      const code = CALLERROR_CODE.exec(text)?.[1];
      if (code !== undefined) metrics.callErrorSent(code);
    }
  }

  badFrame(): void {
    this.sink.metrics?.badFrames.inc();
  }

  callErrorReceived(code: string): void {
    this.sink.metrics?.callErrorReceived(code);
  }

  requestStarted(messageId: string, action: string): number {
    const startedAt = this.lastFrameAt;
    const tracer = this.sink.tracer;
    if (tracer) {
      const attributes = { [ATTR_STATION_ID]: this.id, [ATTR_ACTION]: action, [ATTR_MESSAGE_ID]: messageId };
      const root = tracer.startSpan(`ocpp.request ${action}`, { kind: SpanKind.SERVER, startTime: epochMs(startedAt), attributes }, ROOT_CONTEXT);
      const ctx = trace.setSpan(ROOT_CONTEXT, root);
      tracer.startSpan('ocpp.decode', { startTime: epochMs(startedAt), attributes }, ctx).end();
      const traces = (this.traces ??= new Map());
      traces.get(messageId)?.root.end(); // an id reused after its socket went away
      traces.set(messageId, { root, context: ctx, action });
      if (traces.size > MAX_TRACED_REQUESTS) {
        const [oldestId, oldest] = traces.entries().next().value as [string, RequestTrace];
        oldest.root.setAttribute(ATTR_OUTCOME, 'abandoned');
        oldest.root.end();
        traces.delete(oldestId);
      }
    }
    return startedAt;
  }

  requestAtStation(messageId: string): void {
    const request = this.traces?.get(messageId);
    if (request) request.station = this.child(request, 'ocpp.station', messageId);
  }

  requestLeftStation(messageId: string): void {
    this.traces?.get(messageId)?.station?.end();
  }

  handlerStarted(messageId: string): void {
    const request = this.traces?.get(messageId);
    if (request) request.handler = this.child(request, 'ocpp.handler', messageId);
  }

  handlerFinished(messageId: string, outcome: 'reply' | 'error' | 'noreply'): void {
    const span = this.traces?.get(messageId)?.handler;
    if (!span) return;
    span.setAttribute(ATTR_OUTCOME, outcome);
    span.end();
  }

  requestAnswered(messageId: string, action: string, startedAt: number, ok: boolean): void {
    const metrics = this.sink.metrics;
    if (metrics) {
      const instruments = metrics.stationRequest(action);
      (ok ? instruments.answered : instruments.refused).inc();
      instruments.duration.observe((performance.now() - startedAt) / 1000);
    }
    const request = this.traces?.get(messageId);
    if (request) {
      this.traces!.delete(messageId);
      request.root.setAttribute(ATTR_OUTCOME, ok ? 'callresult' : 'callerror');
      if (!ok) request.root.setStatus({ code: SpanStatusCode.ERROR, message: 'answered with a CALLERROR' });
      request.root.end();
    }
  }

  handlerCrashed(): void {
    this.sink.metrics?.handlerCrashes.inc();
  }

  callSent(call: CallLike, messageId: string): void {
    this.callSentAt = performance.now();
    if (call.done instanceof TracedCall) call.done.sent(messageId);
  }

  callSettled(call: CallLike, outcome: CallOutcome): void {
    const metrics = this.sink.metrics;
    // A timeout's duration is the timeout: only answers say how long stations take.
    if (metrics && !(!outcome.ok && outcome.error instanceof CallTimeoutError)) metrics.callAnswered(call.action, (performance.now() - this.callSentAt) / 1000);
    if (call.done instanceof TracedCall) call.done.answered(outcome);
  }

  release(): void {
    this.sink.forget(this);
    if (this.traces) {
      for (const request of this.traces.values()) request.root.end();
      this.traces.clear();
    }
  }

  private child(request: RequestTrace, name: string, messageId: string): Span {
    const attributes = { [ATTR_STATION_ID]: this.id, [ATTR_ACTION]: request.action, [ATTR_MESSAGE_ID]: messageId };
    return this.sink.tracer!.startSpan(name, { attributes }, request.context);
  }
}

/** How a failed CSMS call ended, as a bounded label. */
export function callOutcomeOf(error: unknown): string {
  if (error instanceof CallErrorResponse) return 'callerror';
  if (error instanceof CallTimeoutError) return 'timeout';
  if (error instanceof StationOfflineError) return 'offline';
  if (error instanceof QueueFullError) return 'queue_full';
  if (error instanceof CallNotAllowedError) return 'not_allowed';
  if (error instanceof OcppError) return 'invalid';
  return 'error';
}

/**
 * A CSMS call's settlement, wrapped: counts its outcome and ends its span. It travels as the
 * call's `done` through the station and connection actors, so the connection can mark the span
 * when the frame goes out without any message carrying more than before.
 */
class TracedCall implements Settle<unknown> {
  private readonly span?: Span;
  private wire?: Span;
  private settled = false;

  constructor(
    private readonly sink: CsmsTelemetry,
    private readonly stationId: string,
    private readonly action: string,
    private readonly done: Settle<unknown>,
  ) {
    // The parent is whatever is active where the call is made: the admin API's request span, or
    // the embedding application's own.
    this.span = sink.tracer?.startSpan(
      `ocpp.call ${action}`,
      { kind: SpanKind.CLIENT, attributes: { [ATTR_STATION_ID]: stationId, [ATTR_ACTION]: action } },
      context.active(),
    );
  }

  sent(messageId: string): void {
    if (!this.span || !this.sink.tracer) return;
    this.span.setAttribute(ATTR_MESSAGE_ID, messageId);
    this.wire?.end();
    this.wire = this.sink.tracer.startSpan(
      'ocpp.call.wire',
      { attributes: { [ATTR_STATION_ID]: this.stationId, [ATTR_ACTION]: this.action, [ATTR_MESSAGE_ID]: messageId } },
      trace.setSpan(ROOT_CONTEXT, this.span),
    );
  }

  answered(outcome: CallOutcome): void {
    if (!this.wire) return;
    if (!outcome.ok) this.wire.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
    this.wire.end();
    this.wire = undefined;
  }

  resolve(value: unknown): void {
    this.end('callresult');
    this.done.resolve(value);
  }

  reject(error: unknown): void {
    this.end(callOutcomeOf(error), error);
    this.done.reject(error);
  }

  private end(outcome: string, error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.sink.metrics?.callEnded(this.action, outcome);
    if (!this.span) return;
    this.wire?.end();
    this.span.setAttribute(ATTR_OUTCOME, outcome);
    if (error !== undefined) this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    this.span.end();
  }
}
