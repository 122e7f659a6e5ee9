/**
 * Every failure of the admin API as an HTTP status and one body shape:
 *
 *     { "error": { "code": "<stable code>", "message": "<for people>", ...fields of the code } }
 *
 * `code` is what programs switch on: the project's CsmsError codes where the failure is one
 * (src/errors.ts), plus the few the HTTP layer adds. One table maps them to statuses, so the
 * status of a failure is decided in one place (and documented in the README's admin API section).
 */
import {
  CallErrorResponse,
  CallNotAllowedError,
  CallTimeoutError,
  CsmsError,
  OcppError,
  QueueFullError,
  StationOfflineError,
  describeCause,
  type OcppErrorCode,
} from '../errors';

/** Codes the HTTP layer adds to the CsmsError codes. */
export type AdminErrorCode =
  | 'unauthorized' // no or wrong bearer token
  | 'not_found' // no such route
  | 'method_not_allowed' // the route exists with other methods (405, Allow header)
  | 'invalid_request' // path, query or body does not match the route's schema
  | 'invalid_identity' // station id outside OCPP-J Part 4 §3.1.1
  | 'invalid_password' // not a BasicAuthPassword (16–40 passwordString characters)
  | 'unknown_handler' // resolveHandler refused the handler name
  | 'unknown_action' // not an OCPP 2.0.1 action
  | 'not_csms_action' // an OCPP 2.0.1 action the CSMS does not send
  | 'invalid_payload' // the call payload breaks the action's request schema
  | 'unavailable' // the station's actors did not answer (restarting)
  | 'internal';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly [field: string]: unknown };
}

export interface HttpFailure {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Schema-violation codes of DESIGN.md §4 (and ProtocolError for a payload that is not an object). */
const PAYLOAD_CODES: ReadonlySet<OcppErrorCode> = new Set([
  'OccurrenceConstraintViolation',
  'TypeConstraintViolation',
  'FormatViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
]);

/** A failure the HTTP layer raises itself (thrown from a route, turned into a response). */
export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: AdminErrorCode,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AdminHttpError';
  }
}

export function failure(status: number, code: string, message: string, fields: Record<string, unknown> = {}): HttpFailure {
  return { status, body: { error: { code, message, ...fields } } };
}

/** The HTTP status and body of any error a route ends with. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (error instanceof AdminHttpError) return failure(error.status, error.errorCode, error.message, error.fields);
  if (error instanceof OcppError) {
    const fields = { ocppCode: error.ocppCode, description: error.description, details: error.details };
    return PAYLOAD_CODES.has(error.ocppCode)
      ? failure(400, 'invalid_payload', error.message, fields)
      : failure(500, error.code, error.message, fields);
  }
  if (error instanceof CallErrorResponse) {
    // The station answered, with a CALLERROR: the upstream failed, not this request (502).
    return failure(502, error.code, error.message, {
      stationId: error.stationId,
      action: error.action,
      ocppCode: error.ocppCode,
      description: error.description,
      details: error.details,
    });
  }
  if (error instanceof StationOfflineError) {
    // 409: the request conflicts with the station's current state (not connected or not yet
    // booted); 503 would say this server is unavailable and invite blind retries.
    return failure(409, error.code, error.message, { stationId: error.stationId, state: error.state });
  }
  if (error instanceof CallNotAllowedError) {
    return failure(409, error.code, error.message, { stationId: error.stationId, action: error.action, state: error.state });
  }
  if (error instanceof QueueFullError) {
    return { ...failure(429, error.code, error.message, { stationId: error.stationId, limit: error.limit }), headers: { 'retry-after': '1' } };
  }
  if (error instanceof CallTimeoutError) {
    return failure(504, error.code, error.message, { stationId: error.stationId, action: error.action, timeoutMs: error.timeoutMs });
  }
  if (error instanceof CsmsError) {
    const status = STATUS_OF[error.code] ?? 500;
    const fields = 'stationId' in error ? { stationId: (error as { stationId: unknown }).stationId } : {};
    return failure(status, status === 503 ? 'unavailable' : error.code, error.message, fields);
  }
  return failure(500, 'internal', `internal error: ${describeCause(error)}`);
}

const STATUS_OF: Partial<Record<CsmsError['code'], number>> = {
  unknown_station: 404,
  station_exists: 409,
  config_invalid: 400,
  handler_invalid: 400,
  device_model: 404,
  actor_stopped: 503,
  query_timeout: 503,
  start_failed: 500,
};
