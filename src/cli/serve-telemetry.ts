/**
 * The server's telemetry from the configuration's `telemetry` section (src/config/telemetry.ts):
 * the sink the CSMS reports to (metrics, traces or both; none when both are off), what the admin
 * API serves of it, and the telemetry listener when one is configured.
 *
 *     const telemetry = await startServeTelemetry(config.telemetry);
 *     const server = await startCsmsServer({ core: { telemetry: telemetry.sink } ... });
 *     await telemetry.listen(serverHealth(server, store));
 *     ...
 *     await telemetry.close();
 */
import type { TelemetrySection } from '../config/telemetry';
import type { AdminTelemetry } from '../admin/metrics-routes';
import { startTelemetryListener, type TelemetryListener } from '../admin/telemetry-listener';
import { CsmsTelemetry } from '../telemetry/csms-telemetry';
import type { HealthChecks } from '../telemetry/health';
import type { Tracing, TracingOptions } from '../telemetry/tracing';

export interface ServeTelemetry {
  /** What the CSMS reports to; undefined when metrics and traces are both off. */
  readonly sink?: CsmsTelemetry;
  /** What the admin API serves and traces. */
  admin(health: HealthChecks): AdminTelemetry;
  /** Start the telemetry listener, when the section has one. */
  listen(health: HealthChecks): Promise<TelemetryListener | undefined>;
  /** Close the listener, export the spans still buffered. */
  close(): Promise<void>;
}

export async function startServeTelemetry(section: TelemetrySection, tracingOverride?: Pick<TracingOptions, 'exporter'>): Promise<ServeTelemetry> {
  const tracingOn = section.tracing.endpoint !== undefined || tracingOverride?.exporter !== undefined;
  // The OpenTelemetry SDK takes a second to load on a busy machine: only when traces are on.
  const tracing: Tracing | undefined = tracingOn
    ? (await import('../telemetry/tracing')).startTracing({
        endpoint: section.tracing.endpoint,
        headers: section.tracing.headers,
        serviceName: section.tracing.serviceName,
        sampleRatio: section.tracing.sampleRatio,
        exporter: tracingOverride?.exporter,
      })
    : undefined;
  const sink =
    section.metrics.enabled || tracing
      ? new CsmsTelemetry({ metrics: section.metrics.enabled ? { defaultMetrics: section.metrics.defaultMetrics } : undefined, tracer: tracing?.tracer })
      : undefined;
  let listener: TelemetryListener | undefined;
  return {
    sink,
    admin: (health) => ({ metrics: sink?.metrics, health, tracer: tracing?.tracer }),
    async listen(health) {
      const config = section.listener;
      if (!config) return undefined;
      listener = await startTelemetryListener({ host: config.host, port: config.port, token: config.token, metrics: sink?.metrics, health });
      return listener;
    },
    async close() {
      await listener?.close();
      await tracing?.shutdown();
    },
  };
}
