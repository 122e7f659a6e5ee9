/**
 * The configuration's `telemetry` section and what the server makes of it: metrics on by
 * default, traces off until an endpoint is given, the telemetry listener only when configured,
 * and no sink at all when both are off (the core then runs the no-op one).
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { parseConfig } from '../../src/config/load';
import { startServeTelemetry } from '../../src/cli/serve-telemetry';
import { createHealthChecks } from '../../src/telemetry/health';
import { parsePrometheusText } from './prometheus-text';

const health = createHealthChecks({ supervision: () => ({ ok: true }), listeners: () => ({ ok: true }) });

describe('telemetry configuration', () => {
  test('defaults: metrics with the process metrics on, no listener, traces off', () => {
    expect(parseConfig({}).telemetry).toEqual({
      metrics: { enabled: true, defaultMetrics: true },
      tracing: { serviceName: 'ocpp-csms', sampleRatio: 1 },
      readinessTimeoutMs: 2000,
    });
  });

  test('a listener takes its host from the default and needs a port', () => {
    expect(parseConfig({ telemetry: { listener: { port: 9464 } } }).telemetry.listener).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(() => parseConfig({ telemetry: { listener: { host: '0.0.0.0' } } })).toThrow(/telemetry\.listener/);
  });

  test('an endpoint that is not http(s), a ratio above 1 or an unknown field is refused naming the field', () => {
    expect(() => parseConfig({ telemetry: { tracing: { endpoint: 'grpc://collector:4317' } } })).toThrow(/telemetry\.tracing\.endpoint/);
    expect(() => parseConfig({ telemetry: { tracing: { sampleRatio: 1.5 } } })).toThrow(/telemetry\.tracing\.sampleRatio/);
    expect(() => parseConfig({ telemetry: { metrics: { enable: false } } })).toThrow(/telemetry\.metrics\.enable/);
  });

  test('with metrics and traces off the server makes no sink, and serves no /metrics', async () => {
    const section = parseConfig({ telemetry: { metrics: { enabled: false } } }).telemetry;
    const telemetry = await startServeTelemetry(section);
    expect(telemetry.sink).toBeUndefined();
    expect(telemetry.admin(health).metrics).toBeUndefined();
    expect(telemetry.admin(health).tracer).toBeUndefined();
    expect(await telemetry.listen(health)).toBeUndefined();
    await telemetry.close();
  });

  test('metrics on: the listener serves them; traces on: the sink carries a tracer', async () => {
    const section = parseConfig({ telemetry: { metrics: { defaultMetrics: false }, listener: { port: 0 } } }).telemetry;
    const telemetry = await startServeTelemetry(section, { exporter: new InMemorySpanExporter() });
    try {
      expect(telemetry.sink?.metrics).toBeDefined();
      expect(telemetry.sink?.tracer).toBeDefined();
      const listener = await telemetry.listen(health);
      const response = await fetch(`http://127.0.0.1:${listener!.port}/metrics`);
      expect(response.status).toBe(200);
      const samples = parsePrometheusText(await response.text());
      expect(samples.find((s) => s.name === 'csms_stations_registered')?.value).toBe(0);
      // defaultMetrics false: no process metrics.
      expect(samples.some((s) => s.name.startsWith('process_'))).toBe(false);
    } finally {
      await telemetry.close();
    }
  });
});
