/**
 * The `telemetry` section of the configuration file (issue 14): Prometheus metrics, the
 * telemetry listener (a port of its own for /metrics and the Kubernetes probes), OpenTelemetry
 * traces. Plugged into the file's schema under `properties.telemetry`.
 *
 *     "telemetry": {
 *       "metrics":  { "enabled": true, "defaultMetrics": true },
 *       "listener": { "host": "0.0.0.0", "port": 9464 },
 *       "tracing":  { "endpoint": "http://otel-collector:4318/v1/traces", "sampleRatio": 0.1 }
 *     }
 */
import { MIN_ADMIN_TOKEN_LENGTH } from './admin';

export interface TelemetrySection {
  readonly metrics: {
    /** Collect metrics (served at /metrics on the admin API and the telemetry listener). Default true. */
    readonly enabled: boolean;
    /** Also prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC). Default true. */
    readonly defaultMetrics: boolean;
  };
  /** A port of its own for /metrics, /healthz and /readyz; none by default. */
  readonly listener?: {
    readonly host: string;
    readonly port: number;
    /** Bearer token /metrics asks for (the probes never do); none by default. */
    readonly token?: string;
  };
  /** Traces: off unless `endpoint` is set. */
  readonly tracing: {
    readonly endpoint?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly serviceName: string;
    readonly sampleRatio: number;
  };
  /** How long /readyz waits for the store's ping. Default 2000 ms. */
  readonly readinessTimeoutMs: number;
}

export const TELEMETRY_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'metrics (Prometheus), health probes and traces (OpenTelemetry)',
  properties: {
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'collect metrics, served at /metrics (admin API, telemetry listener)' },
        defaultMetrics: { type: 'boolean', default: true, description: 'also the process and Node.js metrics (CPU, memory, event-loop lag, GC)' },
      },
    },
    listener: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      description: 'a port of its own for /metrics, /healthz and /readyz (Prometheus and Kubernetes probes)',
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'interface to bind; 0.0.0.0 for a kubelet or Prometheus in a cluster' },
        port: { type: 'integer', minimum: 0, maximum: 65535, description: 'TCP port (0: any free port)' },
        token: { type: 'string', minLength: MIN_ADMIN_TOKEN_LENGTH, description: 'bearer token /metrics asks for (the probes never do)' },
      },
    },
    tracing: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        endpoint: { type: 'string', pattern: '^https?://', description: 'OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces; traces are off without it' },
        headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'headers sent with each export (e.g. an API key)' },
        serviceName: { type: 'string', minLength: 1, default: 'ocpp-csms', description: 'service.name of the traces' },
        sampleRatio: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'share of traces kept, by trace id' },
      },
    },
    readinessTimeoutMs: { type: 'integer', minimum: 1, default: 2000, description: 'how long /readyz waits for the store to answer a ping' },
  },
} as const;
