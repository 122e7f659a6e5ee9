/**
 * The handler behaviour: the contract between the CSMS core and the operator's business logic
 * (the Erlang original's `ocpp_handler` behaviour, in TypeScript).
 *
 * The core never hands a handler a frame or a socket. It calls `handleOcpp` with a typed request
 * for every station-initiated message that is not handled automatically (DESIGN.md §3: Heartbeat,
 * StatusNotification and NotifyReport are answered by the core), and `handleInfo` with events.
 *
 * A handler runs inside the station's event-manager actor, one message at a time, and may be
 * synchronous or asynchronous. A handler that throws, rejects, or answers with a payload that is
 * not schema-valid does not take anything down: the station receives CALLERROR `InternalError`,
 * the handler is reinstalled (`init` again, told the crash), and the crash is counted.
 */
import type { CsmsAction, RequestOf, ResponseOf, StationAction } from '../schemas/actions';
import { ConfigError, type OcppErrorCode } from '../src/errors';
import type { HandlerServices, StationCalls } from '../src/events/contract';

export type { HandlerServices, StationCalls };

/** What `init` is told besides its arguments. */
export interface InitContext {
  readonly stationId: string;
  /** Present when the handler is reinstalled after a crash. */
  readonly crash?: { readonly reason: string; readonly count: number };
  /** The CSMS services (tokens, transactions, tariffs ...), when the server runs the standard CSMS (DESIGN.md §8). */
  readonly services?: HandlerServices;
  /** This station's typed call API. */
  readonly station?: StationCalls;
}

/** Identifies one station request, for answering it later (`noreply`). */
export interface RequestContext {
  readonly stationId: string;
  readonly messageId: string;
  /** The CSMS services, as in InitContext. */
  readonly services?: HandlerServices;
  /** This station's typed call API (e.g. GetTransactionStatus after a seqNo gap, DESIGN.md §8). */
  readonly station?: StationCalls;
}

/** A handler's answer to one station request. `state` replaces the handler state when given. */
export type HandlerResult<A extends StationAction, S> =
  | { readonly reply: ResponseOf<A>; readonly state?: S }
  | {
      readonly error: OcppErrorCode;
      readonly description?: string;
      readonly details?: Record<string, unknown>;
      readonly state?: S;
    }
  /** Answer later through the API (`Csms.reply` / `Csms.replyError`) with the request's message id. */
  | { readonly noreply: true; readonly state?: S };

/** Events the core tells a handler about (DESIGN.md §3). */
export type StationEvent =
  | { readonly type: 'connected'; readonly remoteAddress?: string; readonly reconnect: boolean }
  | { readonly type: 'disconnected'; readonly reason: string }
  /** The station's boot was accepted: it may now send and receive every message. */
  | { readonly type: 'ready' }
  /** A SetVariables result said RebootRequired for these variables. */
  | {
      readonly type: 'reboot_required';
      readonly variables: readonly { component: string; variable: string; attributeType?: string }[];
    }
  /** A multi-part report requested with GetBaseReport/GetReport has arrived completely. */
  | { readonly type: 'report_received'; readonly requestId: number };

/** The answer to a call made with `callAsync`, delivered to `handleAsyncReply`. */
export type AsyncReply =
  | { readonly ref: string; readonly action: CsmsAction; readonly ok: true; readonly response: unknown }
  | { readonly ref: string; readonly action: CsmsAction; readonly ok: false; readonly error: Error };

/**
 * What is wrong with a handler's arguments: `field` is the path inside them (`idTokens`,
 * `idTokens[2]`; `''` for the arguments as a whole), `allowed` says what would be right.
 */
export interface HandlerArgsProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

export interface OcppHandler<S = unknown, Args = unknown> {
  /**
   * Called with the station's `handlerArgs`; `{}` when none were given (defineHandler sees to
   * that, and so do the configuration file's loader and the admin API).
   */
  init(args: Args, context: InitContext): S | Promise<S>;
  /**
   * Optional: check `handlerArgs` before any station runs with them. The configuration loader,
   * `ocpp-csms station add` and the admin API call it, so a misspelled or missing argument is a
   * configuration error naming the field, not a handler that quietly misbehaves.
   */
  checkArgs?(args: unknown): HandlerArgsProblem | undefined;
  handleOcpp<A extends StationAction>(
    action: A,
    request: RequestOf<A>,
    state: S,
    context: RequestContext,
  ): HandlerResult<A, S> | Promise<HandlerResult<A, S>>;
  handleInfo?(event: StationEvent, state: S): S | void | Promise<S | void>;
  handleAsyncReply?(reply: AsyncReply, state: S): S | void | Promise<S | void>;
}

/** One typed function per action, for `defineHandler`. */
export type ActionHandlers<S> = {
  readonly [A in StationAction]?: (
    request: RequestOf<A>,
    state: S,
    context: RequestContext,
  ) => HandlerResult<A, S> | Promise<HandlerResult<A, S>>;
};

/**
 * The per-action typed layer over `handleOcpp`: each action gets its own typed function; an
 * action without one is declined with `NotSupported` (DESIGN.md §4: "declined by the handler").
 * `init` receives `{}` when the station has no `handlerArgs`; with `checkArgs`, arguments it
 * refuses make `init` throw a ConfigError naming the field (`handlerArgs.idTokens`).
 */
export function defineHandler<S, Args = unknown>(spec: {
  init(args: Args, context: InitContext): S | Promise<S>;
  actions: ActionHandlers<S>;
  checkArgs?: OcppHandler<S, Args>['checkArgs'];
  handleInfo?: OcppHandler<S, Args>['handleInfo'];
  handleAsyncReply?: OcppHandler<S, Args>['handleAsyncReply'];
}): OcppHandler<S, Args> {
  return {
    init(args, context) {
      const given = (args ?? {}) as Args;
      const problem = spec.checkArgs?.(given);
      if (problem) throw handlerArgsError(problem);
      return spec.init(given, context);
    },
    checkArgs: spec.checkArgs,
    handleOcpp<A extends StationAction>(action: A, request: RequestOf<A>, state: S, context: RequestContext) {
      const fn = spec.actions[action] as ActionHandlers<S>[A] | undefined;
      if (!fn) {
        return { error: 'NotSupported', description: `${action} is not supported by this CSMS` } as HandlerResult<A, S>;
      }
      return (fn as (r: RequestOf<A>, s: S, c: RequestContext) => HandlerResult<A, S> | Promise<HandlerResult<A, S>>)(
        request,
        state,
        context,
      );
    },
    handleInfo: spec.handleInfo,
    handleAsyncReply: spec.handleAsyncReply,
  };
}

/** True when `value` implements the handler behaviour (used when loading an operator's module). */
export function isOcppHandler(value: unknown): value is OcppHandler {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.init === 'function' &&
    typeof v.handleOcpp === 'function' &&
    (v.checkArgs === undefined || typeof v.checkArgs === 'function') &&
    (v.handleInfo === undefined || typeof v.handleInfo === 'function') &&
    (v.handleAsyncReply === undefined || typeof v.handleAsyncReply === 'function')
  );
}

/** A HandlerArgsProblem as the ConfigError every layer reports it with (`handlerArgs.<field>`). */
export function handlerArgsError(problem: HandlerArgsProblem, prefix = 'handlerArgs'): ConfigError {
  return new ConfigError(problem.field === '' ? prefix : `${prefix}.${problem.field}`, problem.value, problem.allowed);
}

/**
 * Checks arguments that must be a JSON object with only the `known` fields: the common part of
 * every shipped handler's `checkArgs` (an unknown field is most often a misspelled one).
 */
export function checkArgsObject(args: unknown, known: readonly string[]): HandlerArgsProblem | undefined {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { field: '', value: args, allowed: `a JSON object with ${known.join(', ')}` };
  }
  for (const name of Object.keys(args)) {
    // Its value is not shown: a misspelled field may hold a secret.
    if (!known.includes(name)) return { field: name, value: '[not shown]', allowed: `unknown field; allowed: ${known.join(', ')}` };
  }
  return undefined;
}

/** The current time in RFC 3339 UTC, as OCPP date-time fields want it. */
export function nowRfc3339(): string {
  return new Date().toISOString();
}
