/**
 * Telemetry (issue 14): the sink the actors report to (telemetry.ts), Prometheus metrics
 * (metrics.ts), OpenTelemetry traces (tracing.ts), health checks (health.ts).
 */
export {
  NOOP_STATION_TELEMETRY,
  NOOP_TELEMETRY,
  NoopTelemetry,
  bindSupervisionTelemetry,
  supervisionLevel,
  supervisionTelemetry,
  type CallLike,
  type CallOutcome,
  type Settle,
  type StationTelemetry,
  type Telemetry,
} from './telemetry';
export { CsmsTelemetry, callOutcomeOf, type CsmsTelemetryOptions } from './csms-telemetry';
export { CsmsMetrics, type MetricsOptions } from './metrics';
export { ATTR_ACTION, ATTR_MESSAGE_ID, ATTR_OUTCOME, ATTR_STATION_ID, startTracing, type Tracing, type TracingOptions } from './tracing';
export { createHealthChecks, type CheckResult, type HealthChecks, type HealthReport, type HealthSources } from './health';
