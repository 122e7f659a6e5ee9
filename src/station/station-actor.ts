/**
 * The station actor: one charging station's OCPP state machine (state-machine.ts) and models
 * (standing.ts). It executes the machine's effects — forwarding requests to the event manager,
 * answering automatic ones, refusing gated ones — gates and forwards CSMS calls, applies their
 * answers to the models, and persists the standing after every change so that a restarted
 * incarnation recovers it (DESIGN.md §2).
 */
import type { RequestOf, ResponseOf, StationAction } from '../../schemas/actions';
import { validateOutgoingCall } from '../rpc';
import { CallNotAllowedError, CallTimeoutError, QueueFullError, StationOfflineError, StoreError, unreachable, type OcppErrorCode } from '../errors';
import { dispatch, type ActorContext, type Behaviour } from '../runtime';
import type { StationEvent } from '../../handlers/behaviour';
import {
  type ConnectionMsg,
  type Deferred,
  type EventManagerMsg,
  type Answer,
  type OutboundCall,
  type StationMsg,
} from './messages';
import { Standing } from './standing';
import { ALL_CHANGED } from './store';
import type { StationContext } from './station-context';
import * as machine from './state-machine';

interface ReportWaiter {
  readonly done: Deferred<unknown>;
  readonly response: unknown;
  readonly cancelTimer: () => void;
}

interface StationState {
  readonly station: StationContext;
  readonly standing: Standing;
  /** `getBaseReport`/`getReport` callers waiting for the last part of their report. */
  readonly reportWaiters: Map<number, ReportWaiter[]>;
  /** Calls held while the station is offline (`offlineCallHoldMs`), in order. */
  readonly held: { readonly msg: Extract<StationMsg, { type: 'call' }>; readonly cancelTimer: () => void }[];
  /** Remote address of the attached socket, for the read model. */
  remoteAddress?: string;
  /** The socket a TriggerMessage(BootNotification) was sent on (once per connection). */
  bootTriggeredOn?: number;
}

/**
 * A hibernated station actor (DESIGN.md §9): idle long enough with nothing in progress, it dropped
 * its standing, which is all in the store; the next message reloads it (`wake`). The actor keeps
 * its name, its place in the tree and what is not standing (the socket's remote address, the
 * trigger bookkeeping). An idle station's Heartbeats are answered in one hop by its connection
 * without waking it.
 */
interface Hibernated {
  readonly station: StationContext;
  readonly hibernated: true;
  /** The machine's status: it follows the socket and is not written on every change (standing.ts machineKey). */
  readonly status: machine.StationStatus;
  readonly remoteAddress?: string;
  readonly bootTriggeredOn?: number;
}

type StationActorState = StationState | Hibernated;

type Ctx = ActorContext<StationMsg>;

export const stationBehaviour: Behaviour<StationMsg, StationActorState, StationContext> = {
  async init(station, ctx) {
    ctx.register(station.names.station);
    station.stats.stationStarts += 1;
    const standing = Standing.restore(await station.store.load(station.id), station.spec.evse);
    // A new incarnation has no socket: the connection actor (started after it) closes any stale one.
    machine.detach(standing.machine);
    station.store.save(station.id, standing.record(), ALL_CHANGED);
    standing.takeChanges();
    publishStatus(station, standing.machine.status);
    ctx.hibernateAfter(station.settings.hibernateAfterMs);
    return { station, standing, reportWaiters: new Map(), held: [] };
  },

  receive(state, msg, ctx) {
    if ('hibernated' in state) return wake(state).then((awake) => receive(awake, msg, ctx));
    return receive(state, msg, ctx);
  },

  idle(state) {
    if ('hibernated' in state || !mayHibernate(state)) return undefined;
    const { station, remoteAddress, bootTriggeredOn } = state;
    station.stats.hibernations += 1;
    return { station, hibernated: true, status: state.standing.machine.status, remoteAddress, bootTriggeredOn };
  },

  undelivered(msg) {
    // Messages that reached a stopping incarnation: settle the promises they carry.
    switch (msg.type) {
      case 'call':
        msg.call.done.reject(new StationOfflineError(msg.call.stationId, 'station restarting'));
        return;
      case 'call_done':
        // The station did answer: the caller gets the answer, though the models could not take it.
        if (msg.result.ok) msg.call.done.resolve(msg.result.response);
        else msg.call.done.reject(msg.result.error);
        return;
      default:
        return;
    }
  },

  terminate(state) {
    // No station actor runs until the next incarnation's init: nothing may be answered in one hop.
    state.station.wire.status = undefined;
    if (!('hibernated' in state)) releaseWaiters(state);
  },

  killed(state) {
    state.station.wire.status = undefined;
    if (!('hibernated' in state)) releaseWaiters(state);
  },
};

/**
 * Whether dropping the standing loses nothing: no caller waits on this incarnation (reports, held
 * calls), the machine is in a state the store keeps whole (no boot being answered, no reset
 * timing: their bookkeeping is not stored), and the store has everything — no commit pending,
 * none failed for this station (the memory then holds changes the store does not).
 */
function mayHibernate(state: StationState): boolean {
  const { station, standing } = state;
  const m = standing.machine;
  if (state.reportWaiters.size > 0 || state.held.length > 0) return false;
  if (m.pendingBootId !== undefined || m.resettingSince !== undefined || m.status === 'booting' || m.status === 'resetting') return false;
  return station.store.pending(station.id) === undefined && station.store.failures(station.id) === 0;
}

/** The standing back from the store, as it was when the actor hibernated. */
async function wake(state: Hibernated): Promise<StationState> {
  const { station } = state;
  const record = await station.store.load(station.id);
  // A standing that vanished or no longer reads back cannot be rebuilt here: crashing restarts the
  // subtree, whose new incarnation starts from what the store has (and has the station boot again).
  if (record === undefined) throw new StoreError('invalid', `the standing of hibernated station ${station.id} could not be reloaded`);
  const standing = Standing.restore(record, station.spec.evse);
  standing.machine.status = state.status;
  // What was stored is what is held: nothing to write for the reload itself.
  standing.takeChanges();
  station.stats.wakes += 1;
  return { station, standing, reportWaiters: new Map(), held: [], remoteAddress: state.remoteAddress, bootTriggeredOn: state.bootTriggeredOn };
}

function receive(state: StationState, msg: StationMsg, ctx: Ctx): StationState {
  // Checked as messages come (a view query included) rather than with a timer of its own.
  const timedOut = machine.resetTimedOut(state.standing.machine, Date.now(), state.station.settings.resetTimeoutMs);
  if (timedOut) {
    resetAbandoned(state, ctx, timedOut);
    persist(state);
  }
  switch (msg.type) {
    case 'attached': {
      const { reconnect } = machine.attach(state.standing.machine);
      state.remoteAddress = msg.remoteAddress;
      persist(state);
      tell(state, ctx, { type: 'connected', remoteAddress: msg.remoteAddress, reconnect });
      // The station is back: what was held for it goes out now, in order.
      for (const { msg: held, cancelTimer } of state.held.splice(0)) {
        cancelTimer();
        if (admitCall(state, held.call)) toConnection(state, ctx, { type: 'send_call', call: held.call, awaitReport: held.awaitReport });
      }
      return state;
    }
    case 'detached':
      machine.detach(state.standing.machine);
      state.remoteAddress = undefined;
      persist(state);
      tell(state, ctx, { type: 'disconnected', reason: msg.reason });
      return state;
    case 'rpccall':
      onRpcCall(state, msg.transportId, msg.messageId, msg.action, msg.payload, ctx);
      return state;
    case 'handler_result':
      onBootAnswer(state, msg.transportId, msg.messageId, msg.payload, msg.outcome, ctx);
      return state;
    case 'call':
      if (holdWhileOffline(state, msg, ctx)) return state;
      if (admitCall(state, msg.call)) toConnection(state, ctx, { type: 'send_call', call: msg.call, awaitReport: msg.awaitReport });
      return state;
    case 'hold_expired': {
      const index = state.held.findIndex((h) => h.msg.call === msg.call);
      if (index >= 0) {
        state.held.splice(index, 1);
        msg.call.done.reject(
          new StationOfflineError(state.station.id, `offline, and not back within ${state.station.settings.offlineCallHoldMs} ms`),
        );
      }
      return state;
    }
    case 'call_done':
      onCallDone(state, msg, ctx);
      return state;
    case 'report_timeout': {
      // Only the waiter whose own time ran out; the report is abandoned (its further parts
      // refused) once nobody waits for it any more.
      const waiters = state.reportWaiters.get(msg.requestId) ?? [];
      const remaining = waiters.filter((w) => w.done !== msg.waiter);
      if (remaining.length === waiters.length) return state;
      msg.waiter.reject(new CallTimeoutError(state.station.id, `report ${msg.requestId}`, msg.timeoutMs));
      if (remaining.length > 0) {
        state.reportWaiters.set(msg.requestId, remaining);
      } else {
        state.reportWaiters.delete(msg.requestId);
        state.standing.abandonReport(msg.requestId);
        persist(state);
      }
      return state;
    }
    case 'view':
      msg.replyTo(state.standing.view(state.station, state.remoteAddress));
      return state;
    case 'lookup':
      msg.replyTo(state.standing.lookup(msg.request));
      return state;
    case 'model':
      msg.replyTo(state.standing.model);
      return state;
    default:
      return unreachable(msg);
  }
}

/** Callers waiting on this incarnation (reports, held calls) are told it is gone. */
function releaseWaiters(state: StationState): void {
  for (const waiters of state.reportWaiters.values()) {
    for (const waiter of waiters) {
      waiter.cancelTimer();
      waiter.done.reject(new StationOfflineError(state.station.id, 'station restarted'));
    }
  }
  state.reportWaiters.clear();
  for (const { msg, cancelTimer } of state.held.splice(0)) {
    cancelTimer();
    msg.call.done.reject(new StationOfflineError(state.station.id, 'station restarted'));
  }
}

function onRpcCall(state: StationState, transportId: number, messageId: string, action: StationAction, payload: unknown, ctx: Ctx): void {
  const { standing } = state;
  state.station.telemetry.requestAtStation(messageId);
  const effects = machine.rpccall(standing.machine, messageId, action, payload);
  for (const effect of effects) {
    switch (effect.type) {
      case 'forward':
        // A boot starts the state machine over: calls queued for the accepted station must not
        // reach it while it boots (they were admitted for a state that no longer holds).
        if (effect.action === 'BootNotification') toConnection(state, ctx, { type: 'drop_queued', state: standing.machine.status });
        if (effect.action === 'TransactionEvent') standing.trackTransaction(effect.payload as RequestOf<'TransactionEvent'>);
        toEvents(state, ctx, { type: 'rpccall', transportId, messageId: effect.messageId, action: effect.action, payload: effect.payload });
        break;
      case 'auto':
        answerAutomatically(state, transportId, effect.messageId, effect.action, effect.payload, ctx);
        break;
      case 'refuse':
        refuse(state, transportId, effect.messageId, effect.code, effect.description);
        if (standing.machine.status === 'connected') askToBoot(state, transportId, ctx);
        break;
      case 'ready':
        tell(state, ctx, { type: 'ready' });
        break;
      case 'reset_abandoned':
        resetAbandoned(state, ctx, effect);
        break;
    }
  }
  state.station.telemetry.requestLeftStation(messageId);
  persist(state);
}

/**
 * A station the CSMS has no accepted boot for (a new or restored database, a deleted record)
 * that talks without booting would stay locked out: it believes it was accepted (OCPP-J Part 4
 * §5.3 has it reconnect without rebooting). Its messages are refused per B01–B03, and the CSMS
 * asks it, once per connection, to boot (TriggerMessage BootNotification, F06) through the same
 * queue as every CSMS call. DESIGN.md §7.
 */
function askToBoot(state: StationState, transportId: number, ctx: Ctx): void {
  if (!state.station.settings.triggerBootWhenUnbooted || state.bootTriggeredOn === transportId) return;
  state.bootTriggeredOn = transportId;
  const station = state.station;
  ctx.log.info('station talks without a boot on record; asking it to boot (TriggerMessage BootNotification)', { station: station.id });
  const call = {
    stationId: station.id,
    action: 'TriggerMessage' as const,
    payload: { requestedMessage: 'BootNotification' },
    timeoutMs: station.settings.callTimeoutMs,
    done: {
      resolve: (response: unknown) =>
        ctx.log.info('boot trigger answered', { station: station.id, status: (response as { status?: string } | null)?.status }),
      reject: (error: unknown) => ctx.log.info('boot trigger failed', { station: station.id, reason: String(error) }),
    },
  };
  toConnection(state, ctx, { type: 'send_call', call });
}

function resetAbandoned(state: StationState, ctx: Ctx, effect: Extract<machine.Effect, { type: 'reset_abandoned' }>): void {
  ctx.log.warn('station left resetting without rebooting', { station: state.station.id, reason: effect.reason });
}

/** Heartbeat, StatusNotification and NotifyReport are answered by the core (DESIGN.md §3). */
function answerAutomatically(
  state: StationState,
  transportId: number,
  messageId: string,
  action: machine.AutoAction,
  payload: unknown,
  ctx: Ctx,
): void {
  const { standing } = state;
  switch (action) {
    case 'Heartbeat':
      reply(state, transportId, messageId, { currentTime: new Date().toISOString() });
      return;
    case 'StatusNotification': {
      const untracked = standing.applyStatusNotification(payload as RequestOf<'StatusNotification'>);
      if (untracked !== undefined) beyondModelLimits(state, ctx, action, untracked);
      reply(state, transportId, messageId, {});
      return;
    }
    case 'NotifyReport': {
      const part = payload as RequestOf<'NotifyReport'>;
      const outcome = standing.applyReportPart(part);
      if (!outcome.accepted) {
        refuse(state, transportId, messageId, outcome.code, outcome.reason);
        return;
      }
      if (outcome.untracked !== undefined) beyondModelLimits(state, ctx, action, outcome.untracked);
      reply(state, transportId, messageId, {});
      if (outcome.complete) {
        tell(state, ctx, { type: 'report_received', requestId: part.requestId });
        const waiters = state.reportWaiters.get(part.requestId) ?? [];
        state.reportWaiters.delete(part.requestId);
        for (const waiter of waiters) {
          waiter.cancelTimer();
          waiter.done.resolve(waiter.response);
        }
      }
      return;
    }
  }
}

/**
 * A valid request went past a limit this CSMS sets on its own models (MODEL_LIMITS): it is
 * answered as the protocol says all the same (refusing it would make the station resend it, and
 * count against nothing it did wrong), its excess is not tracked, and the station view counts it.
 * Logged once per station (the counter outlives the actors' incarnations), as a station past the
 * limit says so with every status it sends.
 */
function beyondModelLimits(state: StationState, ctx: Ctx, action: machine.AutoAction, why: string): void {
  const { station } = state;
  station.stats.untracked += 1;
  if (station.stats.untracked === 1) {
    ctx.log.warn('station reports more than this CSMS tracks; answered, the excess not tracked (logged once per station, counted in stats.untracked)', {
      station: station.id,
      action,
      reason: why,
    });
  }
}

/**
 * The answer to a BootNotification, from the event manager (at once, or later through the API):
 * the state machine takes it (B01–B03), then it goes on the wire. Every other request is answered
 * on the wire by the event manager itself.
 */
function onBootAnswer(state: StationState, transportId: number, messageId: string, payload: unknown, outcome: Answer, ctx: Ctx): void {
  const response = outcome.kind === 'reply' ? (outcome.payload as ResponseOf<'BootNotification'>) : undefined;
  for (const effect of machine.bootAnswered(state.standing.machine, messageId, payload as RequestOf<'BootNotification'>, response)) {
    if (effect.type === 'ready') tell(state, ctx, { type: 'ready' });
  }
  persist(state);
  if (outcome.kind === 'reply') {
    state.station.wire.result(transportId, messageId, outcome.payload);
  } else {
    state.station.wire.error(transportId, messageId, outcome.code, outcome.description, outcome.details);
  }
}

/**
 * Hold a call for an accepted station whose socket is gone, when the operator allows it
 * (`offlineCallHoldMs` > 0). Returns whether the call was taken care of (held or refused).
 */
function holdWhileOffline(state: StationState, msg: Extract<StationMsg, { type: 'call' }>, ctx: Ctx): boolean {
  const { station, standing } = state;
  const holdMs = station.settings.offlineCallHoldMs;
  if (holdMs <= 0 || standing.machine.status !== 'offline') return false;
  const check = validateOutgoingCall(msg.call.action, msg.call.payload);
  if (!check.ok) {
    msg.call.done.reject(check.error);
    return true;
  }
  if (state.held.length >= station.settings.queueLimit) {
    msg.call.done.reject(new QueueFullError(station.id, station.settings.queueLimit));
    return true;
  }
  state.held.push({ msg, cancelTimer: ctx.sendAfter(holdMs, { type: 'hold_expired', call: msg.call }) });
  return true;
}

/** Whether a CSMS call may go to the connection: the state allows it and its payload is valid. */
function admitCall(state: StationState, call: OutboundCall): boolean {
  const { station, standing } = state;
  const refusal = machine.callRefusal(standing.machine, call.action);
  if (refusal === 'offline') {
    call.done.reject(new StationOfflineError(station.id, standing.machine.status));
    return false;
  }
  if (refusal === 'not_allowed') {
    call.done.reject(new CallNotAllowedError(station.id, call.action, standing.machine.status));
    return false;
  }
  // What we send must meet the schema (DESIGN.md §4): an invalid payload never reaches the wire.
  const check = validateOutgoingCall(call.action, call.payload);
  if (!check.ok) {
    call.done.reject(check.error);
    return false;
  }
  return true;
}

function onCallDone(state: StationState, msg: Extract<StationMsg, { type: 'call_done' }>, ctx: Ctx): void {
  const { call, result, awaitReport } = msg;
  if (!result.ok) {
    call.done.reject(result.error);
    return;
  }
  const { standing } = state;
  machine.callAnswered(standing.machine, call.action, call.payload as never, result.response as never);
  const effects = standing.applyCallResult(call.action, call.payload, result.response);
  if (effects.rebootRequired.length > 0) tell(state, ctx, { type: 'reboot_required', variables: effects.rebootRequired });
  persist(state);
  if (awaitReport && effects.reportExpected !== undefined) {
    const requestId = effects.reportExpected;
    const cancelTimer = ctx.sendAfter(awaitReport.timeoutMs, { type: 'report_timeout', requestId, waiter: call.done, timeoutMs: awaitReport.timeoutMs });
    const waiters = state.reportWaiters.get(requestId) ?? [];
    waiters.push({ done: call.done, response: result.response, cancelTimer });
    state.reportWaiters.set(requestId, waiters);
    return;
  }
  call.done.resolve(result.response);
}

/**
 * Answer a station CALL the station actor is processing on its wire, directly (DESIGN.md §9: no
 * hop through the connection's mailbox). The answer may leave at once, so the request's station
 * stage ends first.
 */
function reply(state: StationState, transportId: number, messageId: string, payload: object): void {
  // The answer may leave at once: what it acknowledges must be handed to the store first, so the
  // wire's gate holds it behind that commit (DESIGN.md §7, write before you answer).
  persist(state);
  state.station.telemetry.requestLeftStation(messageId);
  state.station.wire.result(transportId, messageId, payload);
}

/** Refuse a station CALL the station actor is processing with a CALLERROR (see reply). */
function refuse(state: StationState, transportId: number, messageId: string, code: OcppErrorCode, description: string): void {
  persist(state);
  state.station.telemetry.requestLeftStation(messageId);
  state.station.wire.error(transportId, messageId, code, description, {});
}

function publishStatus(station: StationContext, status: machine.StationStatus | undefined): void {
  if (status !== undefined) station.telemetry.stationStatus(status);
  station.wire.status = status;
}

/**
 * Hand what changed to the store. With a durable store the change is committed with this turn's
 * batch; the connection holds the station's next answers until it is (DESIGN.md §7).
 */
function persist(state: StationState): void {
  // Every change of state is followed by a persist: the state gauge and the wire's one-hop
  // answers (src/connection/wire.ts) read what is published here.
  publishStatus(state.station, state.standing.machine.status);
  const changes = state.standing.takeChanges();
  if (changes) state.station.store.save(state.station.id, state.standing.record(), changes);
}

function tell(state: StationState, ctx: Ctx, event: StationEvent): void {
  toEvents(state, ctx, { type: 'info', event });
}

function toEvents(state: StationState, ctx: Ctx, msg: EventManagerMsg): void {
  const ref = ctx.registry.whereis(state.station.names.events);
  if (ref?.alive) dispatch(ref, msg);
  else if (msg.type === 'rpccall') {
    // The handler is restarting: the request cannot be processed, and a boot must not stay pending.
    if (msg.action === 'BootNotification') machine.bootAnswered(state.standing.machine, msg.messageId, msg.payload as RequestOf<'BootNotification'>, undefined);
    refuse(state, msg.transportId, msg.messageId, 'InternalError', 'the CSMS handler is restarting');
  }
}

function toConnection(state: StationState, ctx: Ctx, msg: ConnectionMsg): void {
  const ref = ctx.registry.whereis(state.station.names.connection);
  if (ref?.alive) {
    dispatch(ref, msg);
    return;
  }
  if (msg.type === 'send_call') msg.call.done.reject(new StationOfflineError(state.station.id, 'connection restarting'));
}

