/**
 * Errors across nodes: a call made on one node for a station held by another must fail with the
 * same typed error it would have failed with locally (offline, timeout, CALLERROR, queue full,
 * DESIGN.md §5), so the node that runs the call sends its error as data and the caller's node
 * rebuilds the class. An error of a kind not listed comes back as a ClusterError with its message.
 */
import {
  CallErrorResponse,
  CallNotAllowedError,
  CallTimeoutError,
  ClusterError,
  ConfigError,
  DeviceModelError,
  OcppError,
  QueryTimeoutError,
  QueueFullError,
  StationOfflineError,
  UnknownStationError,
  describeCause,
  isOcppErrorCode,
} from '../errors';

/** An error as it travels between nodes. */
export interface WireError {
  readonly kind: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export function errorToWire(error: unknown): WireError {
  if (error instanceof CallTimeoutError) return wire('timeout', error, { stationId: error.stationId, action: error.action, timeoutMs: error.timeoutMs });
  if (error instanceof StationOfflineError) return wire('offline', error, { stationId: error.stationId, state: error.state });
  if (error instanceof QueueFullError) return wire('queue_full', error, { stationId: error.stationId, limit: error.limit });
  if (error instanceof CallErrorResponse) {
    return wire('call_error', error, { stationId: error.stationId, action: error.action, ocppCode: error.ocppCode, description: error.description, details: error.details });
  }
  if (error instanceof CallNotAllowedError) return wire('not_allowed', error, { stationId: error.stationId, action: error.action, state: error.state });
  if (error instanceof UnknownStationError) return wire('unknown_station', error, { stationId: error.stationId });
  if (error instanceof OcppError) return wire('ocpp_error', error, { ocppCode: error.ocppCode, description: error.description, details: error.details });
  if (error instanceof DeviceModelError) return wire('device_model', error, { reason: error.reason });
  if (error instanceof QueryTimeoutError) return wire('query_timeout', error, { actor: error.actor, timeoutMs: error.timeoutMs });
  if (error instanceof ConfigError) return wire('config_invalid', error, { field: error.field, value: error.value, allowed: error.allowed });
  return { kind: 'other', message: describeCause(error), fields: {} };
}

function wire(kind: string, error: Error, fields: Record<string, unknown>): WireError {
  return { kind, message: error.message, fields };
}

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const object = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The error class the holding node failed with, rebuilt on the calling node. */
export function errorFromWire(data: WireError, node: string): Error {
  const f = object(data.fields);
  switch (data.kind) {
    case 'timeout':
      return new CallTimeoutError(text(f.stationId), text(f.action), count(f.timeoutMs));
    case 'offline':
      return new StationOfflineError(text(f.stationId), typeof f.state === 'string' ? f.state : undefined);
    case 'queue_full':
      return new QueueFullError(text(f.stationId), count(f.limit));
    case 'call_error':
      return new CallErrorResponse(text(f.stationId), text(f.action), text(f.ocppCode), text(f.description), object(f.details));
    case 'not_allowed':
      return new CallNotAllowedError(text(f.stationId), text(f.action), text(f.state));
    case 'unknown_station':
      return new UnknownStationError(text(f.stationId));
    case 'ocpp_error':
      return new OcppError(isOcppErrorCode(f.ocppCode) ? f.ocppCode : 'GenericError', text(f.description), object(f.details));
    case 'device_model': {
      const reason = f.reason === 'undefined' || f.reason === 'ambiguous' || f.reason === 'no_value' || f.reason === 'invalid_value' ? f.reason : 'undefined';
      return new DeviceModelError(reason, text(data.message));
    }
    case 'query_timeout':
      return new QueryTimeoutError(text(f.actor), count(f.timeoutMs));
    case 'config_invalid':
      return new ConfigError(text(f.field), f.value, text(f.allowed));
    default:
      return new ClusterError('remote_failed', `node ${node} failed the request: ${text(data.message, 'no reason given')}`);
  }
}
