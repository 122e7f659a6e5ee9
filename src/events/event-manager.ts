/**
 * The event-manager actor: runs the operator's handler module for one station.
 *
 * A handler that throws, rejects, times out, or answers with a schema-invalid payload is not an
 * actor crash (DESIGN.md §2): the station gets CALLERROR `InternalError`, the handler is
 * reinstalled (`init` again, told the reason and the count), and the crash is counted. More
 * than `crashLimit.intensity` handler crashes within `crashLimit.periodMs` escalate: the actor
 * fails, and the station supervisor applies its own restart strategy.
 */
import type { AsyncReply, InitContext, OcppHandler, StationEvent } from '../../handlers/behaviour';
import type { StationAction } from '../../schemas/actions';
import { isJsonObject, validateOutgoingCallResult } from '../rpc';
import { CsmsError, HandlerInitError, StationOfflineError, describeCause, isOcppErrorCode, unreachable } from '../errors';
import { dispatch, type ActorContext, type Behaviour } from '../runtime';
import {
  type EventManagerMsg,
  type Answer,
  type HandlerOutcome,
  type StationMsg,
} from '../station/messages';
import type { StationContext } from '../station/station-context';
import { handlerNameOf } from './handler-names';

/** The handler's crash limit was exceeded: the event manager escalates to its supervisor. */
export class HandlerCrashLimitError extends CsmsError {
  readonly code = 'handler_invalid' as const;
  constructor(readonly stationId: string, readonly crashes: number, readonly periodMs: number) {
    super(`handler of station ${stationId} crashed ${crashes} times within ${periodMs} ms; escalating`);
  }
}

class HandlerTimeoutError extends CsmsError {
  readonly code = 'timeout' as const;
  constructor(readonly action: string, readonly timeoutMs: number) {
    super(`handler did not answer ${action} within ${timeoutMs} ms`);
  }
}

interface EventManagerState {
  readonly station: StationContext;
  handlerState: unknown;
  /** Times of recent handler crashes, for the crash limit. */
  recentCrashes: number[];
  /**
   * Requests the handler deferred (`noreply`), by message id, until the application answers
   * them (`Csms.reply`). Forgotten when the connection they came on goes away.
   */
  readonly deferred: Map<string, { readonly transportId: number; readonly action: StationAction; readonly payload: unknown }>;
}

type Ctx = ActorContext<EventManagerMsg>;

export const eventManagerBehaviour: Behaviour<EventManagerMsg, EventManagerState, StationContext> = {
  async init(station, ctx) {
    ctx.register(station.names.events);
    let handlerState: unknown;
    try {
      handlerState = await initHandler(station, { stationId: station.id, services: station.services, station: station.calls });
    } catch (error) {
      // The actor starts and fails at once (rather than failing its start): the station's subtree
      // then restarts it like any crashing child and, past its restart intensity, gives up alone.
      // A start failure would fail addStation, and with it the start of every other station.
      ctx.fail(initFailed(station, ctx, error));
    }
    return { station, handlerState, recentCrashes: [], deferred: new Map() };
  },

  async receive(state, msg, ctx) {
    const { station } = state;
    switch (msg.type) {
      case 'rpccall': {
        station.telemetry.handlerStarted(msg.messageId);
        const outcome = await runRequest(station, state, msg.messageId, msg.action, msg.payload, ctx);
        station.telemetry.handlerFinished(msg.messageId, outcome.kind);
        if (outcome.kind === 'noreply') state.deferred.set(msg.messageId, { transportId: msg.transportId, action: msg.action, payload: msg.payload });
        else answer(station, ctx, msg.transportId, msg.messageId, msg.action, msg.payload, outcome);
        return state;
      }
      case 'late_reply': {
        const request = state.deferred.get(msg.messageId);
        if (!request) {
          msg.done.reject(new StationOfflineError(station.id, `no deferred request ${msg.messageId} is waiting for an answer`));
          return state;
        }
        if (msg.outcome.kind === 'reply') {
          // The application's answer is checked like a handler's, but it is the caller's mistake,
          // not a handler crash: the caller gets the error and may answer again.
          const check = validateOutgoingCallResult(request.action, msg.outcome.payload, msg.messageId);
          if (!check.ok) {
            msg.done.reject(check.error);
            return state;
          }
        }
        state.deferred.delete(msg.messageId);
        answer(station, ctx, request.transportId, msg.messageId, request.action, request.payload, msg.outcome);
        msg.done.resolve(undefined);
        return state;
      }
      case 'info':
        // Deferred requests belong to the connection they came on (OCPP-J Part 4 §4.1.4).
        if (msg.event.type === 'connected' || msg.event.type === 'disconnected') state.deferred.clear();
        await runCallback(station, state, ctx, 'handleInfo', (h, s) => h.handleInfo?.(msg.event, s));
        return state;
      case 'async_reply':
        await runCallback(station, state, ctx, 'handleAsyncReply', (h, s) => h.handleAsyncReply?.(msg.reply, s));
        return state;
      default:
        return unreachable(msg);
    }
  },

  undelivered(msg) {
    // An answer that reached a stopping incarnation: the deferred request died with it.
    if (msg.type === 'late_reply') msg.done.reject(new StationOfflineError(msg.stationId, 'restarting; the request it answers is gone'));
  },
};

/**
 * Put an answer on the wire. A boot's answer goes through the station actor, whose state machine
 * needs it; every other answer straight onto the station's wire, synchronously (no actor hop:
 * DESIGN.md §9; and an escalating crash's InternalError is not lost to the restart that
 * overtakes the station).
 */
function answer(
  station: StationContext,
  ctx: Ctx,
  transportId: number,
  messageId: string,
  action: StationAction,
  payload: unknown,
  outcome: Answer,
): void {
  if (action === 'BootNotification') toStation(station, ctx, { type: 'handler_result', transportId, messageId, action: 'BootNotification', payload, outcome });
  else if (outcome.kind === 'reply') station.wire.result(transportId, messageId, outcome.payload);
  else station.wire.error(transportId, messageId, outcome.code, outcome.description, outcome.details);
}

async function runRequest(
  station: StationContext,
  state: EventManagerState,
  messageId: string,
  action: StationAction,
  payload: unknown,
  ctx: Ctx,
): Promise<HandlerOutcome> {
  const handler = station.handler;
  let result;
  try {
    result = await withTimeout(
      handler.handleOcpp(action, payload as never, state.handlerState, { stationId: station.id, messageId, services: station.services, station: station.calls }),
      station.settings.handlerTimeoutMs,
      () => new HandlerTimeoutError(action, station.settings.handlerTimeoutMs),
    );
  } catch (error) {
    await crashed(station, state, ctx, `handleOcpp(${action}) failed: ${describeCause(error)}`, error);
    return internalError(`the CSMS failed to process ${action}`);
  }
  if (typeof result !== 'object' || result === null) {
    await crashed(station, state, ctx, `handleOcpp(${action}) returned ${describeCause(result)}, not a reply, error or noreply`);
    return internalError(`the CSMS failed to process ${action}`);
  }
  if ('state' in result && result.state !== undefined) state.handlerState = result.state;
  if ('reply' in result) {
    // A handler's invalid response never reaches the wire (DESIGN.md §4), whatever a station's
    // validation mode: relaxing it to log-only forgives the charger's messages, never ours.
    const check = validateOutgoingCallResult(action, result.reply, messageId);
    if (!check.ok) {
      await crashed(station, state, ctx, `handleOcpp(${action}) answered a schema-invalid response: ${check.error.description}`);
      return internalError(`the CSMS produced an invalid ${action} response`);
    }
    return { kind: 'reply', payload: result.reply };
  }
  if ('error' in result) {
    // A JavaScript handler is not type-checked: an error code outside OCPP-J Table 8 is a handler bug.
    if (!isOcppErrorCode(result.error) || (result.details !== undefined && !isJsonObject(result.details))) {
      await crashed(station, state, ctx, `handleOcpp(${action}) answered an error that is not an OCPP-J error: ${describeCause(result.error)}`);
      return internalError(`the CSMS failed to process ${action}`);
    }
    return { kind: 'error', code: result.error, description: String(result.description ?? ''), details: result.details ?? {} };
  }
  if ('noreply' in result && result.noreply === true) return { kind: 'noreply' };
  await crashed(station, state, ctx, `handleOcpp(${action}) returned an object without reply, error or noreply`);
  return internalError(`the CSMS failed to process ${action}`);
}

async function runCallback(
  station: StationContext,
  state: EventManagerState,
  ctx: Ctx,
  name: string,
  call: (handler: OcppHandler, state: unknown) => unknown,
): Promise<void> {
  try {
    const next = await withTimeout(
      call(station.handler, state.handlerState),
      station.settings.handlerTimeoutMs,
      () => new HandlerTimeoutError(name, station.settings.handlerTimeoutMs),
    );
    if (next !== undefined) state.handlerState = next;
  } catch (error) {
    await crashed(station, state, ctx, `${name} failed: ${describeCause(error)}`, error);
  }
}

/** Count a handler crash, reinstall the handler, escalate past the limit. */
async function crashed(station: StationContext, state: EventManagerState, ctx: Ctx, reason: string, error?: unknown): Promise<void> {
  const now = Date.now();
  const { intensity, periodMs } = station.settings.handlerCrashLimit;
  state.recentCrashes = state.recentCrashes.filter((t) => now - t < periodMs);
  state.recentCrashes.push(now);
  station.stats.handlerCrashes += 1;
  station.telemetry.handlerCrashed();
  ctx.log.warn('handler crashed; reinstalling it', {
    station: station.id,
    reason,
    crashes: station.stats.handlerCrashes,
    // Where in the operator's code it happened (issue 16 item 16).
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
  if (state.recentCrashes.length > intensity) {
    ctx.fail(new HandlerCrashLimitError(station.id, state.recentCrashes.length, periodMs));
    return;
  }
  // Reinstall: init again, told why. If init itself fails, that is an actor crash — after the
  // current message is done, so the request that crashed the handler still gets its
  // InternalError (as on the crash-limit path above).
  try {
    state.handlerState = await initHandler(station, {
      stationId: station.id,
      crash: { reason, count: station.stats.handlerCrashes },
      services: station.services,
      station: station.calls,
    });
  } catch (initError) {
    ctx.fail(initFailed(station, ctx, initError));
  }
}

/** The handler's `init`, bounded like every handler callback by `handlerTimeoutMs`. */
function initHandler(station: StationContext, context: InitContext): unknown {
  return withTimeout(
    station.handler.init(station.spec.handlerArgs, context),
    station.settings.handlerTimeoutMs,
    () => new HandlerTimeoutError('init', station.settings.handlerTimeoutMs),
  );
}

/** Log a failed `init` (the station, the handler module and `init` in the message; the stack at debug). */
function initFailed(station: StationContext, ctx: Ctx, error: unknown): HandlerInitError {
  const failure = new HandlerInitError(station.id, handlerNameOf(station.handler), error);
  ctx.log.error(failure.message, { station: station.id, handler: failure.handler, callback: 'init' });
  if (error instanceof Error && error.stack) ctx.log.debug('handler init stack', { station: station.id, handler: failure.handler, stack: error.stack });
  return failure;
}

function internalError(description: string): HandlerOutcome {
  return { kind: 'error', code: 'InternalError', description, details: {} };
}

function toStation(station: StationContext, ctx: Ctx, msg: StationMsg): void {
  const ref = ctx.registry.whereis(station.names.station);
  // A station actor that is stopping (a rest_for_one restart) would throw: that must not crash
  // the event manager and cost the handler its state.
  if (!ref?.alive) {
    ctx.log.warn('station actor not running; handler result dropped', { station: station.id, type: msg.type });
    return;
  }
  dispatch(ref, msg);
}

/**
 * The handler's answer, or `onTimeout()` when an asynchronous one takes longer than `ms`.
 * A synchronous answer needs no timer (most handlers answer at once: no timer per request).
 */
function withTimeout<T>(answer: T | Promise<T>, ms: number, onTimeout: () => Error): T | Promise<T> {
  if (typeof (answer as { then?: unknown } | null | undefined)?.then !== 'function') return answer;
  const promise = Promise.resolve(answer);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}


export type { AsyncReply, StationEvent };
