/**
 * GET /metrics: the CSMS's metrics in the Prometheus text format (src/telemetry/metrics.ts).
 * On the admin port it is behind the admin token like every admin route (Prometheus sends it with
 * `authorization: { credentials: <token> }`); the telemetry listener (src/admin/telemetry-listener.ts)
 * serves it on a port of its own.
 */
import type { FastifyInstance } from 'fastify';
import type { Tracer } from '@opentelemetry/api';
import type { HealthChecks } from '../telemetry/health';

export const METRICS_PATH = '/metrics';

/** What the scrape reads (`CsmsMetrics` fits). */
export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

/** What the admin server serves and traces besides its API (issue 14); each part optional. */
export interface AdminTelemetry {
  /** Serve GET /metrics. */
  readonly metrics?: MetricsSource;
  /** Serve GET /healthz and GET /readyz (unauthenticated). */
  readonly health?: HealthChecks;
  /** A span per admin request, the parent of the CSMS calls it makes. */
  readonly tracer?: Tracer;
}

export function registerMetricsRoutes(app: FastifyInstance, metrics: MetricsSource | undefined): void {
  if (!metrics) return;
  app.get(METRICS_PATH, async (_request, reply) => reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.text()));
}
