/**
 * Errors as values: the closed set of failures that cross a module boundary.
 *
 * Every error has a stable string `code` (what programs switch on) and a human message.
 * Nothing in the project throws a bare `Error` across a module boundary; it throws or returns
 * one of these. OCPP-level failures carry the exact OCPP-J error code (Part 4 §4.2.3, Table 8).
 */

/** The RPC framework error codes of OCPP-J 2.0.1, spelled exactly as Part 4 §4.2.3 (Table 8). */
export const OCPP_ERROR_CODES = [
  'FormatViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
] as const;
export type OcppErrorCode = (typeof OCPP_ERROR_CODES)[number];

export function isOcppErrorCode(value: unknown): value is OcppErrorCode {
  return typeof value === 'string' && (OCPP_ERROR_CODES as readonly string[]).includes(value);
}

/** Stable codes of every error this project raises. */
export type CsmsErrorCode =
  | 'ocpp_error'
  | 'call_error'
  | 'offline'
  | 'timeout'
  | 'queue_full'
  | 'not_allowed'
  | 'unknown_station'
  | 'station_exists'
  | 'actor_stopped'
  | 'query_timeout'
  | 'config_invalid'
  | 'start_failed'
  | 'handler_invalid'
  | 'device_model'
  | 'restart_limit'
  | 'name_taken'
  | 'handler_init_failed'
  | 'store'
  | 'simulator'
  | 'invalid_input'
  | 'not_found'
  | 'cluster'
  | 'external_service';

export abstract class CsmsError extends Error {
  abstract readonly code: CsmsErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** OCPP-J limits a CALLERROR description to 255 characters (Part 4 §4.2.3). */
export const MAX_ERROR_DESCRIPTION = 255;

export function truncateDescription(text: string): string {
  return text.length <= MAX_ERROR_DESCRIPTION ? text : text.slice(0, MAX_ERROR_DESCRIPTION - 1) + '…';
}

/**
 * A protocol failure that becomes (or came from) a CALLERROR frame: the code, a description
 * of at most 255 characters and a details object. `messageId` is the id to answer with
 * (`"-1"` when the offending frame's id could not be read).
 */
export class OcppError extends CsmsError {
  readonly code = 'ocpp_error' as const;
  readonly description: string;
  constructor(
    readonly ocppCode: OcppErrorCode,
    description: string,
    readonly details: Record<string, unknown> = {},
    readonly messageId?: string,
  ) {
    super(`${ocppCode}: ${description}`);
    this.description = truncateDescription(description);
  }
}

/** The station answered one of our calls with a CALLERROR. */
export class CallErrorResponse extends CsmsError {
  readonly code = 'call_error' as const;
  constructor(
    readonly stationId: string,
    readonly action: string,
    readonly ocppCode: string,
    readonly description: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`station ${stationId} answered ${action} with CALLERROR ${ocppCode}: ${description}`);
  }
}

/** The station is not connected (or not yet accepted), so it cannot be called. */
export class StationOfflineError extends CsmsError {
  readonly code = 'offline' as const;
  constructor(readonly stationId: string, readonly state?: string) {
    super(`station ${stationId} is offline${state ? ` (state ${state})` : ''}`);
  }
}

/** A call to a station was not answered in time. */
export class CallTimeoutError extends CsmsError {
  readonly code = 'timeout' as const;
  constructor(readonly stationId: string, readonly action: string, readonly timeoutMs: number) {
    super(`station ${stationId} did not answer ${action} within ${timeoutMs} ms`);
  }
}

/** The bounded outbound call queue of a station is full. */
export class QueueFullError extends CsmsError {
  readonly code = 'queue_full' as const;
  constructor(readonly stationId: string, readonly limit: number) {
    super(`outbound call queue of station ${stationId} is full (${limit} calls waiting)`);
  }
}

/** The station's state does not allow this CSMS-initiated call (boot gating, DESIGN.md §3). */
export class CallNotAllowedError extends CsmsError {
  readonly code = 'not_allowed' as const;
  constructor(readonly stationId: string, readonly action: string, readonly state: string) {
    super(`${action} may not be sent to station ${stationId} in state ${state}`);
  }
}

export class UnknownStationError extends CsmsError {
  readonly code = 'unknown_station' as const;
  constructor(readonly stationId: string) {
    super(`no station registered with identity ${JSON.stringify(stationId)}`);
  }
}

export class StationExistsError extends CsmsError {
  readonly code = 'station_exists' as const;
  constructor(readonly stationId: string) {
    super(`a station with identity ${JSON.stringify(stationId)} is already registered`);
  }
}

/** A message was sent to an actor incarnation that has stopped (nact would drop it silently). */
export class ActorStoppedError extends CsmsError {
  readonly code = 'actor_stopped' as const;
  constructor(readonly actor: string) {
    super(`actor ${actor} has stopped; the message was not delivered`);
  }
}

/** An actor did not answer a query in time. */
export class QueryTimeoutError extends CsmsError {
  readonly code = 'query_timeout' as const;
  constructor(readonly actor: string, readonly timeoutMs: number) {
    super(`actor ${actor} did not answer within ${timeoutMs} ms`);
  }
}

/** A configuration value is invalid: names the field, the value and what is allowed. */
export class ConfigError extends CsmsError {
  readonly code = 'config_invalid' as const;
  constructor(readonly field: string, readonly value: unknown, readonly allowed: string) {
    super(`invalid configuration at ${field}: ${safeShow(value)} (${allowed})`);
  }
}

/**
 * A port of the configuration is taken by another process: the operator changes the
 * configuration (or stops the other process), so it is a configuration error (exit 2), whether
 * the port is an OCPP listener's or the admin API's. The message names the field.
 */
export class PortInUseError extends ConfigError {
  constructor(readonly port: number, readonly host: string, field: string) {
    super(field, port, `port ${port} on ${host} is in use`);
    this.message = `port ${port} on ${host} is in use (${field})`;
  }
}

/** A supervised child failed to start. */
export class StartError extends CsmsError {
  readonly code = 'start_failed' as const;
  constructor(readonly child: string, cause: unknown) {
    super(`child ${child} failed to start: ${describeCause(cause)}`, { cause });
  }
}

/**
 * A supervisor gave up: more than `intensity` restarts within `period` seconds. It is the
 * abnormal exit reason the supervisor escalates to its parent (DESIGN.md §2).
 */
export class RestartLimitError extends CsmsError {
  readonly code = 'restart_limit' as const;
  constructor(
    readonly supervisor: string,
    readonly intensity: number,
    readonly periodSeconds: number,
    readonly lastChild: string,
    cause?: unknown,
  ) {
    super(
      `supervisor ${supervisor} exceeded ${intensity} restarts in ${periodSeconds} s (last: child ${lastChild})`,
      { cause },
    );
  }
}

/** A registry name is already held by a live actor. */
export class NameTakenError extends CsmsError {
  readonly code = 'name_taken' as const;
  constructor(readonly actorName: string, readonly holder: string) {
    super(`name ${JSON.stringify(actorName)} is already registered by ${holder}`);
  }
}

/** A handler module is missing or does not implement the handler behaviour. */
export class HandlerModuleError extends CsmsError {
  readonly code = 'handler_invalid' as const;
  constructor(readonly module: string, reason: string) {
    super(`handler module ${module}: ${reason}`);
  }
}

/**
 * A station's handler could not start: its `init` threw, rejected or did not answer in time. The
 * event manager fails with it, so the station's subtree is restarted and, past its restart
 * intensity, reported failed like any crashing station (DESIGN.md §2).
 */
export class HandlerInitError extends CsmsError {
  readonly code = 'handler_init_failed' as const;
  constructor(readonly stationId: string, readonly handler: string, cause: unknown) {
    super(`station ${stationId}: handler module ${handler} failed in init: ${describeCause(cause)}`, { cause });
  }
}

/**
 * A device-model lookup failed: not defined, more than one match, defined without a value, or
 * a value that is not of the variable's data type (`invalid_value`).
 */
export class DeviceModelError extends CsmsError {
  readonly code = 'device_model';
  constructor(readonly reason: 'undefined' | 'ambiguous' | 'no_value' | 'invalid_value', message: string) {
    super(message);
  }
}

/**
 * The charging-station simulator could not talk to the CSMS: the connection was refused or
 * lost, the upgrade was answered with an HTTP status or without the `ocpp2.0.1` subprotocol,
 * or the CSMS left one of the simulated station's calls unanswered.
 */
export class SimulatorError extends CsmsError {
  readonly code = 'simulator' as const;
  constructor(
    readonly reason: 'connect_failed' | 'connection_closed' | 'call_timeout' | 'interrupted',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The store could not do what was asked: it is unreachable, corrupt, held by another server, or
 * a commit failed. A station message whose change could not be committed is answered with
 * CALLERROR InternalError, never with a CALLRESULT (DESIGN.md §7).
 */
export class StoreError extends CsmsError {
  readonly code = 'store' as const;
  constructor(
    readonly reason: 'unreachable' | 'locked' | 'corrupt' | 'commit_failed' | 'migration' | 'closed' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A value given to a CSMS service (a token, a tariff, a boot policy, an import line) breaks its
 * schema: `field` names where (`status`, `tokens[3].expiresAt`, `line 4: type`).
 */
export class InvalidInputError extends CsmsError {
  readonly code = 'invalid_input' as const;
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** A CSMS service has no such thing (token, tariff, transaction). */
export class NotFoundError extends CsmsError {
  readonly code = 'not_found' as const;
  constructor(readonly kind: string, readonly key: string) {
    super(`no ${kind} ${key}`);
  }
}

/**
 * Cluster mode (DESIGN.md §6) could not do what was asked: Redis is unreachable, a station's
 * presence could not be claimed, or the node holding a station failed a request for a reason
 * that has no class of its own.
 */
export class ClusterError extends CsmsError {
  readonly code = 'cluster' as const;
  constructor(
    readonly reason: 'redis_unavailable' | 'claim_failed' | 'remote_failed' | 'stopped',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * For the `never` branch of a switch over a discriminated union (an actor's inbox): a value the
 * compiler says cannot exist reached run time. The actor crashes with this, and is restarted.
 */
export function unreachable(value: never): never {
  throw new OcppError('InternalError', `unexpected message ${safeShow(value)}`);
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return safeShow(cause);
}

function safeShow(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? text.slice(0, 200) + '…' : text;
  } catch {
    return String(value);
  }
}

/**
 * A service the CSMS relies on over HTTP (the external V2G signer, issue 11) gave no usable
 * answer: unreachable, too slow, an HTTP error, or an answer that is not what was asked for.
 */
export class ExternalServiceError extends CsmsError {
  readonly code = 'external_service' as const;
  constructor(readonly service: string, readonly reason: string) {
    super(`${service}: ${reason}`);
  }
}
