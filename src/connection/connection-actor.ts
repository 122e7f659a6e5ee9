/**
 * The connection actor: one station's socket as OCPP-J. It decodes and validates every frame
 * that arrives, answers bad frames with the exact CALLERROR (DESIGN.md §4), refuses a CALL that
 * reuses the id of one still being processed, correlates CALLRESULT/CALLERROR with the one
 * outstanding CSMS call, queues further calls in order (bounded), times calls out, and closes
 * a station that sends bad frames faster than allowed.
 *
 * It is the last child of the station supervisor (rest_for_one): it depends on the station
 * actor, which depends on the event manager.
 */
import { v4 as uuidv4 } from 'uuid';
import type { StationAction } from '../../schemas/actions';
import {
  CallErrorResponse,
  CallNotAllowedError,
  CallTimeoutError,
  QueueFullError,
  StationOfflineError,
  unreachable,
  type OcppErrorCode,
} from '../errors';
import { decodeFrame, encodeCall, encodeCallError, validateCallResult } from '../rpc';
import { dispatch, type ActorContext, type Behaviour } from '../runtime';
import { type ConnectionMsg, type EventManagerMsg, type OutboundCall, type StationMsg } from '../station/messages';
import { AUTO_ACTIONS } from '../station/state-machine';
import type { StationContext } from '../station/station-context';
import { forLog } from './frame-log';
import { loggerFor } from '../log';
import { WarningLimiter } from '../server/warning-limiter';
import { CloseCode, type Transport } from './transport';
import type { StationWire } from './wire';

interface Outstanding {
  readonly messageId: string;
  readonly call: OutboundCall;
  readonly awaitReport?: { readonly timeoutMs: number };
  readonly cancelTimer: () => void;
}

interface QueuedCall {
  readonly call: OutboundCall;
  readonly awaitReport?: { readonly timeoutMs: number };
}

interface ConnectionState {
  readonly station: StationContext;
  /**
   * The station's wire (its socket, station CALLs in progress, answers waiting for a commit),
   * shared with the station actor and the event manager, which answer through it directly.
   */
  readonly wire: StationWire;
  outstanding?: Outstanding;
  readonly queue: QueuedCall[];
  /** Times of recent bad frames, for the bad-frame limit. */
  badFrames: number[];
}

type Ctx = ActorContext<ConnectionMsg>;

/** A station that stops answering times out every call: warn once a minute per station, the rest at debug. */
const timeouts = new WarningLimiter(loggerFor('connection'), 'call timed out');

/** Station CALLs being processed at once, beyond which a new one is refused. */
export const MAX_CALLS_IN_PROGRESS = 16;

export const connectionBehaviour: Behaviour<ConnectionMsg, ConnectionState, StationContext> = {
  init(station, ctx) {
    ctx.register(station.names.connection);
    station.stats.connectionStarts += 1;
    const stale = station.slot.transport;
    if (stale) {
      // A previous incarnation owned this socket and crashed (or the subtree restarted): its
      // framing state is gone, so the honest thing is to make the charger reconnect.
      station.slot.transport = undefined;
      stale.close(CloseCode.restarted, 'CSMS connection restarted; please reconnect');
    }
    // Whatever a previous incarnation left on the wire belonged to the socket just closed.
    station.wire.detach();
    const state: ConnectionState = { station, wire: station.wire, queue: [], badFrames: [] };
    station.telemetry.watchConnection(state.queue, state.wire.inProgressCalls);
    return state;
  },

  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'attach':
        attach(state, msg.transport, ctx);
        return state;
      case 'frame':
        if (state.wire.transport?.id === msg.transportId) onFrame(state, msg.text, ctx);
        return state;
      case 'closed':
        if (state.wire.transport?.id === msg.transportId) lose(state, ctx, `socket closed (${msg.code}${msg.reason ? ` ${msg.reason}` : ''})`);
        return state;
      case 'send_call':
        enqueue(state, { call: msg.call, awaitReport: msg.awaitReport }, ctx);
        return state;
      case 'call_timeout':
        // A timer that fires after its call was answered finds another (or no) call outstanding.
        settle(state, ctx, msg.messageId, undefined, (call) => {
          timeouts.warn(state.station.id, { station: state.station.id, action: call.action, messageId: msg.messageId, timeoutMs: call.timeoutMs });
          return { ok: false, error: new CallTimeoutError(state.station.id, call.action, call.timeoutMs) };
        });
        return state;
      case 'drop_queued':
        for (const queued of state.queue.splice(0)) {
          finish(state, ctx, queued.call, { ok: false, error: new CallNotAllowedError(state.station.id, queued.call.action, msg.state) }, queued.awaitReport);
        }
        return state;
      case 'close':
        if (state.wire.transport) {
          const transport = state.wire.transport;
          lose(state, ctx, `closed by the CSMS (${msg.code} ${msg.reason})`);
          transport.close(msg.code, msg.reason);
        }
        return state;
      default:
        return unreachable(msg);
    }
  },

  terminate(state) {
    // Calls waiting on this incarnation cannot be answered any more. They are settled here, not
    // through the station actor: when the subtree stops or restarts from this end (rest_for_one
    // stops the connection first), the station actor stops right after and drops a call_done
    // queued behind its exit, which left the callers waiting forever. A failed call changes
    // nothing in the station's models (station-actor onCallDone), so nothing is lost.
    failAll(state, () => new StationOfflineError(state.station.id, 'connection stopped'));
    // Answers made while no connection runs are dropped, as they were when they travelled to
    // its mailbox; the next incarnation closes the socket (see init).
    if (state.station.wire === state.wire) state.wire.detach();
  },

  killed(state) {
    failAll(state, () => new StationOfflineError(state.station.id, 'connection killed'));
    if (state.station.wire === state.wire) state.wire.detach();
  },

  undelivered(msg) {
    // A call that reached the mailbox of a stopping incarnation never goes out: fail it.
    if (msg.type === 'send_call') msg.call.done.reject(new StationOfflineError(msg.call.stationId, 'connection stopped'));
    // A socket whose attach was never processed is neither attached nor closed, and nobody would
    // read it: close it, so the charger reconnects to the next incarnation.
    else if (msg.type === 'attach') msg.transport.close(CloseCode.restarted, 'CSMS connection restarted; please reconnect');
  },
};

function attach(state: ConnectionState, transport: Transport, ctx: Ctx): void {
  const current = state.wire.transport;
  if (current && current.id !== transport.id) {
    // DESIGN.md §4: a second connection for a connected identity replaces the first.
    lose(state, ctx, 'replaced by a new connection');
    current.close(CloseCode.replaced, 'replaced by a newer connection for this identity');
  }
  state.wire.transport = transport;
  // Until the station actor has taken the attach (a reconnect changes its state), no one-hop answers.
  state.wire.status = undefined;
  state.station.slot.transport = transport;
  state.badFrames = [];
  toStation(state, ctx, { type: 'attached', transportId: transport.id, remoteAddress: transport.remoteAddress });
}

/** The socket is gone: forget it, fail what waited on it, tell the station. */
function lose(state: ConnectionState, ctx: Ctx, reason: string): void {
  const transport = state.wire.transport;
  if (!transport) return;
  state.wire.detach();
  if (state.station.slot.transport === transport) state.station.slot.transport = undefined;
  failAll(state, () => new StationOfflineError(state.station.id, 'disconnected'));
  toStation(state, ctx, { type: 'detached', transportId: transport.id, reason });
}

function onFrame(state: ConnectionState, text: string, ctx: Ctx): void {
  const { station } = state;
  station.stats.framesIn += 1;
  station.telemetry.frameReceived();
  const result = decodeFrame(text, { maxFrameBytes: station.settings.maxFrameBytes, from: 'station', validation: 'strict' });
  if (!result.ok && result.readable.messageType === 2 && result.readable.action !== undefined) {
    // Strictness is per station and action: re-decode leniently when the operator relaxed it.
    const action = result.readable.action;
    if (isRelaxed(station, action)) {
      const lenient = decodeFrame(text, { maxFrameBytes: station.settings.maxFrameBytes, from: 'station', validation: 'log-only' });
      if (lenient.ok) return accept(state, text, lenient, ctx);
    }
  }
  if (!result.ok) {
    station.observe({ stationId: station.id, direction: 'in', text, error: result.error.ocppCode });
    ctx.log.debug('bad frame', { station: station.id, direction: 'in', frame: forLog(text), error: result.error.ocppCode });
    if (result.answer) {
      state.wire.send(encodeCallError(result.error.messageId ?? '-1', result.error.ocppCode, result.error.description, result.error.details));
    } else if (result.readable.messageId !== undefined) {
      // A malformed answer to our outstanding call: the call fails with the reason.
      settle(state, ctx, result.readable.messageId, undefined, () => ({ ok: false, error: result.error }));
    }
    // Only frames that break OCPP-J count toward the limit; one refused for this CSMS's own size
    // limit is answered the same way, and is no sign of a misbehaving station.
    if (!result.overLimit) countBadFrame(state, ctx);
    return;
  }
  accept(state, text, result, ctx);
}

function accept(state: ConnectionState, text: string, result: Extract<ReturnType<typeof decodeFrame>, { ok: true }>, ctx: Ctx): void {
  const { station } = state;
  station.observe({ stationId: station.id, direction: 'in', text });
  if (ctx.log.isDebugEnabled()) ctx.log.debug('frame', { station: station.id, direction: 'in', frame: forLog(text) });
  for (const warning of result.warnings) {
    ctx.log.warn('schema violation let through (log-only validation)', { station: station.id, error: warning.message });
  }
  const frame = result.frame;
  switch (frame.type) {
    case 2: {
      const { wire } = state;
      if (wire.inProgress >= MAX_CALLS_IN_PROGRESS) {
        // OCPP-J Part 4 §4.1.1: a station sends its next CALL once the previous one is answered.
        // A few overlapping ones are tolerated; a flood is refused, so memory stays bounded.
        wire.send(encodeCallError(frame.messageId, 'RpcFrameworkError', `more than ${MAX_CALLS_IN_PROGRESS} calls in progress; wait for answers`, {}));
        countBadFrame(state, ctx);
        return;
      }
      if (wire.isInProgress(frame.messageId)) {
        // Part 4 §4.1.4: a message id must be unique among the sender's outstanding calls.
        wire.send(encodeCallError(frame.messageId, 'RpcFrameworkError', `message id ${frame.messageId} is already in use by a call being processed`, {}));
        countBadFrame(state, ctx);
        return;
      }
      const transportId = wire.transport?.id ?? -1;
      const action = frame.action as StationAction;
      const route = routeOf(action, wire);
      wire.begin(frame.messageId, {
        action,
        failuresAtArrival: station.store.failures(station.id),
        startedAt: station.telemetry.requestStarted(frame.messageId, frame.action),
      });
      switch (route) {
        case 'station':
          toStation(state, ctx, { type: 'rpccall', transportId, messageId: frame.messageId, action, payload: frame.payload });
          return;
        case 'answer': {
          // The station stage of the request's trace is this one hop (it ends before the answer, as the long way's does).
          station.telemetry.requestAtStation(frame.messageId);
          const answer = { currentTime: new Date().toISOString() };
          station.telemetry.requestLeftStation(frame.messageId);
          wire.result(transportId, frame.messageId, answer);
          return;
        }
        case 'handler':
          station.telemetry.requestAtStation(frame.messageId);
          station.telemetry.requestLeftStation(frame.messageId);
          toHandler(state, ctx, { type: 'rpccall', transportId, messageId: frame.messageId, action, payload: frame.payload });
          return;
      }
      return;
    }
    case 3:
      settle(state, ctx, frame.messageId, 'CALLRESULT', (call) => {
        // A CALLRESULT names no action: the pending call's action says which schema applies (Part 4 §4.2.2).
        const check = validateCallResult(call.action, frame.payload, { validation: station.validationMode(call.action), messageId: frame.messageId });
        if (!check.ok) return { ok: false, error: check.error };
        for (const warning of check.warnings) ctx.log.warn('schema violation let through (log-only validation)', { station: station.id, error: warning.message });
        return { ok: true, response: frame.payload };
      });
      return;
    case 4:
      station.telemetry.callErrorReceived(frame.errorCode);
      settle(state, ctx, frame.messageId, 'CALLERROR', (call) => ({
        ok: false,
        error: new CallErrorResponse(station.id, call.action, frame.errorCode, frame.errorDescription, frame.errorDetails),
      }));
      return;
  }
}

function isRelaxed(station: StationContext, action: string): boolean {
  try {
    return station.validationMode(action as StationAction) === 'log-only';
  } catch {
    return false;
  }
}

function countBadFrame(state: ConnectionState, ctx: Ctx): void {
  const { station } = state;
  station.stats.badFrames += 1;
  station.telemetry.badFrame();
  const now = Date.now();
  const { count, periodMs } = station.settings.badFrameLimit;
  state.badFrames = state.badFrames.filter((t) => now - t < periodMs);
  state.badFrames.push(now);
  const transport = state.wire.transport;
  if (state.badFrames.length > count && transport) {
    ctx.log.warn('station sent bad frames faster than allowed; disconnecting', { station: station.id, badFrames: state.badFrames.length, periodMs });
    lose(state, ctx, 'too many bad frames');
    transport.close(CloseCode.badFrames, `more than ${count} bad frames within ${periodMs} ms`);
  }
}

function enqueue(state: ConnectionState, queued: QueuedCall, ctx: Ctx): void {
  const { station } = state;
  if (!state.wire.transport) {
    finish(state, ctx, queued.call, { ok: false, error: new StationOfflineError(station.id) }, queued.awaitReport);
    return;
  }
  if (state.outstanding) {
    if (state.queue.length >= station.settings.queueLimit) {
      finish(state, ctx, queued.call, { ok: false, error: new QueueFullError(station.id, station.settings.queueLimit) }, queued.awaitReport);
      return;
    }
    state.queue.push(queued);
    return;
  }
  transmit(state, queued, ctx);
}

type CallResult = { ok: true; response: unknown } | { ok: false; error: Error };

/**
 * If `messageId` is the outstanding call's, settle that call with `result` and put the next
 * queued call on the wire. Otherwise the answer is late (its call timed out) or unknown: logged
 * (when `what` names it) and dropped, as DESIGN.md §4 asks.
 */
function settle(state: ConnectionState, ctx: Ctx, messageId: string, what: string | undefined, result: (call: OutboundCall) => CallResult): void {
  const outstanding = state.outstanding;
  if (!outstanding || outstanding.messageId !== messageId) {
    if (what) ctx.log.info(`${what} for no outstanding call dropped (late or unknown)`, { station: state.station.id, messageId });
    return;
  }
  outstanding.cancelTimer();
  state.outstanding = undefined;
  const outcome = result(outstanding.call);
  state.station.telemetry.callSettled(outstanding.call, outcome);
  finish(state, ctx, outstanding.call, outcome, outstanding.awaitReport);
  sendNext(state, ctx);
}

function sendNext(state: ConnectionState, ctx: Ctx): void {
  const next = state.queue.shift();
  if (next) transmit(state, next, ctx);
}

/** Put one call on the wire: a fresh UUID message id (unique across reconnects), and its timer. */
function transmit(state: ConnectionState, queued: QueuedCall, ctx: Ctx): void {
  const messageId = uuidv4();
  const { call } = queued;
  const cancelTimer = ctx.sendAfter(call.timeoutMs, { type: 'call_timeout', messageId });
  state.outstanding = { messageId, call, awaitReport: queued.awaitReport, cancelTimer };
  state.station.telemetry.callSent(call, messageId);
  state.wire.send(encodeCall(messageId, call.action, call.payload as never));
}

/**
 * Settle a call: a failure is the caller's at once; an answer goes through the station actor,
 * which applies it to the models (device model, triggers, reports) before the caller sees it.
 * Failing directly also keeps calls from hanging when the station actor stops before this one.
 */
function finish(state: ConnectionState, ctx: Ctx, call: OutboundCall, result: CallResult, awaitReport?: { readonly timeoutMs: number }): void {
  if (!result.ok) call.done.reject(result.error);
  else toStation(state, ctx, { type: 'call_done', call, result, awaitReport });
}

/** Fail the outstanding and the queued calls (failures reach the callers directly, see finish). */
/** Fail the outstanding and the queued calls: their callers are told at once (see finish). */
function failAll(state: ConnectionState, error: () => Error): void {
  const pending: QueuedCall[] = [];
  if (state.outstanding) {
    state.outstanding.cancelTimer();
    pending.push(state.outstanding);
    state.outstanding = undefined;
  }
  pending.push(...state.queue.splice(0));
  for (const queued of pending) queued.call.done.reject(error());
}

/**
 * Where a station CALL goes (DESIGN.md §9: the actors are the unit of isolation, not a route
 * every message must travel). The long way, through the station actor, unless the station actor
 * has published an accepted state (idle, or provisioning) and nothing else of this station is in
 * progress or waiting, so that nothing can be overtaken; then:
 * - `answer`: an idle station's Heartbeat is answered here, as the station actor would (§3:
 *   currentTime; in provisioning the first Heartbeat ends it, so that one takes the long way);
 * - `handler`: a request the state machine would only forward, unchanged, to the handler goes to
 *   the event manager directly — every action but the boot (it restarts the machine), the
 *   TransactionEvents (the station actor tracks open transactions) and the ones the station
 *   actor answers itself (Heartbeat, StatusNotification, NotifyReport).
 */
function routeOf(action: StationAction, wire: StationWire): 'station' | 'answer' | 'handler' {
  const status = wire.status;
  if ((status !== 'idle' && status !== 'provisioning') || !wire.quiet) return 'station';
  if (action === 'Heartbeat') return status === 'idle' ? 'answer' : 'station';
  return STATION_ACTOR_ACTIONS.has(action) ? 'station' : 'handler';
}

const STATION_ACTOR_ACTIONS: ReadonlySet<StationAction> = new Set<StationAction>(['BootNotification', 'TransactionEvent', ...AUTO_ACTIONS]);

/**
 * A request straight to the event manager. When it is restarting the request cannot be
 * processed: InternalError, as the station actor answers in that case.
 */
function toHandler(state: ConnectionState, ctx: Ctx, msg: Extract<EventManagerMsg, { type: 'rpccall' }>): void {
  const ref = ctx.registry.whereis(state.station.names.events);
  if (ref?.alive) dispatch(ref, msg);
  else state.wire.error(msg.transportId, msg.messageId, 'InternalError', 'the CSMS handler is restarting', {});
}

function toStation(state: ConnectionState, ctx: Ctx, msg: StationMsg): void {
  const ref = ctx.registry.whereis(state.station.names.station);
  if (ref?.alive) {
    dispatch(ref, msg);
    return;
  }
  // The station actor is restarting: nothing can be processed; calls fail rather than hang.
  if (msg.type === 'call_done') msg.call.done.reject(new StationOfflineError(state.station.id, 'restarting'));
  ctx.log.warn('station actor not running; message dropped', { station: state.station.id, type: msg.type });
}


export type { OcppErrorCode };
