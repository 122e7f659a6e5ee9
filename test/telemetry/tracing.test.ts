/**
 * Traces through a real server: an in-memory span exporter from the SDK takes what the CSMS
 * records. A station request yields `ocpp.request <Action>` with its stages as children; a CSMS
 * call made through the admin API is a child of the admin request's span, with the wire as its
 * own child. Every span carries the station id, the action and the message id.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { NOOP_STATION_TELEMETRY } from '../../src/telemetry/telemetry';
import { createStationContext, DEFAULT_STATION_SETTINGS } from '../../src/station/station-context';
import { MemoryStationStore } from '../../src/station/store';
import { ADMIN_TOKEN, BOOT, crashingHandler, stationClient, startTelemetryHarness, until, type TelemetryHarness } from './harness';

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId);
}

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let h: TelemetryHarness;

  beforeAll(async () => {
    tracing = startTracing({ exporter });
    h = await startTelemetryHarness({ stations: ['CP1'], tracer: tracing.tracer });
  });
  afterAll(async () => {
    await h.stop();
    await tracing.shutdown();
  });
  beforeEach(() => exporter.reset());

  test('a station request is a span from its frame to its answer, with decode, station actor and handler as children', async () => {
    const cp1 = stationClient(h.ocppUrl, 'CP1');
    await cp1.connect();
    try {
      await cp1.call('BootNotification', BOOT);
      exporter.reset();
      await cp1.call('Authorize', { idToken: { idToken: 'TOKEN1', type: 'ISO14443' } });
      await cp1.call('Heartbeat', {});
      await until(() => named(exporter.getFinishedSpans(), 'ocpp.request Heartbeat').length === 1);
      const spans = exporter.getFinishedSpans();

      const [authorize] = named(spans, 'ocpp.request Authorize');
      expect(authorize).toBeDefined();
      expect(authorize!.kind).toBe(SpanKind.SERVER);
      expect(authorize!.parentSpanContext).toBeUndefined();
      expect(authorize!.attributes).toMatchObject({ 'ocpp.station_id': 'CP1', 'ocpp.action': 'Authorize', 'ocpp.outcome': 'callresult' });
      const messageId = authorize!.attributes['ocpp.message_id'];
      expect(typeof messageId).toBe('string');
      const stages = childrenOf(spans, authorize!);
      expect(stages.map((s) => s.name).sort()).toEqual(['ocpp.decode', 'ocpp.handler', 'ocpp.station']);
      for (const stage of stages) {
        expect(stage.attributes).toMatchObject({ 'ocpp.station_id': 'CP1', 'ocpp.action': 'Authorize', 'ocpp.message_id': messageId });
      }
      expect(stages.find((s) => s.name === 'ocpp.handler')!.attributes['ocpp.outcome']).toBe('reply');

      // A Heartbeat is answered by the core: no handler stage.
      const [heartbeat] = named(spans, 'ocpp.request Heartbeat');
      expect(childrenOf(spans, heartbeat!).map((s) => s.name).sort()).toEqual(['ocpp.decode', 'ocpp.station']);
      expect(heartbeat!.attributes['ocpp.message_id']).not.toBe(messageId);
    } finally {
      await cp1.close({ force: true } as never);
    }
  });

  test('a request the handler crashed on is an error span answered with a CALLERROR', async () => {
    const cp1 = stationClient(h.ocppUrl, 'CP1');
    await cp1.connect();
    try {
      await cp1.call('BootNotification', BOOT);
      await expect(cp1.call('Authorize', { idToken: { idToken: 'CRASH', type: 'ISO14443' } })).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
      await until(() => named(exporter.getFinishedSpans(), 'ocpp.request Authorize').length === 1);
      const [authorize] = named(exporter.getFinishedSpans(), 'ocpp.request Authorize');
      expect(authorize!.attributes['ocpp.outcome']).toBe('callerror');
      expect(authorize!.status.code).toBe(SpanStatusCode.ERROR);
      const handler = childrenOf(exporter.getFinishedSpans(), authorize!).find((s) => s.name === 'ocpp.handler');
      expect(handler!.attributes['ocpp.outcome']).toBe('error');
    } finally {
      await cp1.close({ force: true } as never);
    }
  });

  test('a CSMS call through the admin API is a child of the admin request, with the wire as its child', async () => {
    const cp1 = stationClient(h.ocppUrl, 'CP1');
    cp1.handle('ClearCache', (() => ({ status: 'Accepted' })) as never);
    await cp1.connect();
    try {
      await cp1.call('BootNotification', BOOT);
      const response = await fetch(`${h.base}/api/stations/CP1/calls/ClearCache`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: '{}',
      });
      expect(response.status).toBe(200);
      await until(() => named(exporter.getFinishedSpans(), 'HTTP POST /api/stations/:id/calls/:action').length === 1);
      const spans = exporter.getFinishedSpans();
      const [http] = named(spans, 'HTTP POST /api/stations/:id/calls/:action');
      expect(http!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.route': '/api/stations/:id/calls/:action' });
      const [call] = childrenOf(spans, http!);
      expect(call!.name).toBe('ocpp.call ClearCache');
      expect(call!.kind).toBe(SpanKind.CLIENT);
      expect(call!.attributes).toMatchObject({ 'ocpp.station_id': 'CP1', 'ocpp.action': 'ClearCache', 'ocpp.outcome': 'callresult' });
      const messageId = call!.attributes['ocpp.message_id'];
      expect(typeof messageId).toBe('string');
      const [wire] = childrenOf(spans, call!);
      expect(wire!.name).toBe('ocpp.call.wire');
      expect(wire!.attributes).toMatchObject({ 'ocpp.station_id': 'CP1', 'ocpp.action': 'ClearCache', 'ocpp.message_id': messageId });
    } finally {
      await cp1.close({ force: true } as never);
    }
  });
});

describe('telemetry off', () => {
  test('a station context without telemetry carries the no-op handle', () => {
    const context = createStationContext({
      spec: { id: 'CP9', evse: 1, handler: crashingHandler, securityProfile: 0 },
      settings: DEFAULT_STATION_SETTINGS,
      store: new MemoryStationStore(),
    });
    expect(context.telemetry).toBe(NOOP_STATION_TELEMETRY);
    expect(context.telemetry.requestStarted('m1', 'Heartbeat')).toBe(0);
  });
});
