/**
 * The inboxes of a station's three actors (DESIGN.md §2), as discriminated unions, and their
 * registry names. Each actor's `receive` switches over its union with a `never` check, so a
 * message an actor does not accept is a compile error at the sender.
 */
import type { AsyncReply, StationEvent } from '../../handlers/behaviour';
import type { CsmsAction, StationAction } from '../../schemas/actions';
import type { OcppErrorCode } from '../errors';
import { actorName, type ActorName, type ReplyTo } from '../runtime';
import type { Transport } from '../connection/transport';
import type { DeviceModel } from './model/device-model';
import type { LookupRequest, LookupResult, StationView } from './standing';

/** How the handler (or the core on its behalf) answered one station request. */
export type HandlerOutcome =
  | { readonly kind: 'reply'; readonly payload: unknown }
  | {
      readonly kind: 'error';
      readonly code: OcppErrorCode;
      readonly description: string;
      readonly details: Record<string, unknown>;
    }
  | { readonly kind: 'noreply' };

/** An answer that goes on the wire (a reply or an error, not a deferral). */
export type Answer = Exclude<HandlerOutcome, { kind: 'noreply' }>;

/** A settled promise's two callbacks, carried inside a message (in-process only). */
export interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A CSMS-initiated call on its way to the station. */
export interface OutboundCall {
  readonly stationId: string;
  readonly action: CsmsAction;
  readonly payload: unknown;
  readonly timeoutMs: number;
  readonly done: Deferred<unknown>;
}

/**
 * A decoded, validated CALL from the station, as the connection hands it to the station actor
 * and the station actor forwards it to the event manager.
 */
export interface RpcCallMsg {
  readonly type: 'rpccall';
  /** The socket the CALL came on: its answer goes back only on that socket (see ConnectionMsg). */
  readonly transportId: number;
  readonly messageId: string;
  readonly action: StationAction;
  readonly payload: unknown;
}

// ---------------------------------------------------------------------------------------------
// Event manager: runs the operator's handler module.

export type EventManagerMsg =
  | RpcCallMsg
  | { readonly type: 'info'; readonly event: StationEvent }
  /** The embedding application answers a request its handler left with `noreply`. */
  | {
      readonly type: 'late_reply';
      readonly stationId: string;
      readonly messageId: string;
      readonly outcome: Answer;
      readonly done: Deferred<void>;
    }
  | { readonly type: 'async_reply'; readonly reply: AsyncReply };

// ---------------------------------------------------------------------------------------------
// Station: the OCPP state machine and the station's models.

export type StationMsg =
  | { readonly type: 'attached'; readonly transportId: number; readonly remoteAddress?: string }
  | { readonly type: 'detached'; readonly transportId: number; readonly reason: string }
  | RpcCallMsg
  /** The answer to a forwarded BootNotification (the state machine needs it), given now or later. */
  | {
      readonly type: 'handler_result';
      readonly transportId: number;
      readonly messageId: string;
      readonly action: 'BootNotification';
      readonly payload: unknown;
      readonly outcome: Answer;
    }
  /** A CSMS-initiated call from the API. `awaitReport` resolves only when the report is complete. */
  | { readonly type: 'call'; readonly call: OutboundCall; readonly awaitReport?: { readonly timeoutMs: number } }
  /** The connection's outcome for a call the station actor handed it. */
  | {
      readonly type: 'call_done';
      readonly call: OutboundCall;
      readonly result: { readonly ok: true; readonly response: unknown } | { readonly ok: false; readonly error: Error };
      readonly awaitReport?: { readonly timeoutMs: number };
    }
  /** One `getBaseReport`/`getReport` caller's wait (`waiter`, its promise) ran out. */
  | { readonly type: 'report_timeout'; readonly requestId: number; readonly waiter: Deferred<unknown>; readonly timeoutMs: number }
  /** A call held for an offline station waited as long as `offlineCallHoldMs` allows. */
  | { readonly type: 'hold_expired'; readonly call: OutboundCall }
  | { readonly type: 'view'; readonly replyTo: ReplyTo<StationView> }
  | { readonly type: 'lookup'; readonly request: LookupRequest; readonly replyTo: ReplyTo<LookupResult> }
  | { readonly type: 'model'; readonly replyTo: ReplyTo<DeviceModel> };

// ---------------------------------------------------------------------------------------------
// Connection: the socket, framing and validation, keep-alive hooks, outbound call queue.

export type ConnectionMsg =
  | { readonly type: 'attach'; readonly transport: Transport }
  | { readonly type: 'frame'; readonly transportId: number; readonly text: string }
  | { readonly type: 'closed'; readonly transportId: number; readonly code: number; readonly reason: string }
  | { readonly type: 'send_call'; readonly call: OutboundCall; readonly awaitReport?: { readonly timeoutMs: number } }
  | { readonly type: 'call_timeout'; readonly messageId: string }
  /** The station (re)boots: calls still waiting to go out were admitted for a state that is gone. */
  | { readonly type: 'drop_queued'; readonly state: string }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

export const eventManagerName = (stationId: string): ActorName<EventManagerMsg> =>
  actorName<EventManagerMsg>(`station/${stationId}/events`);
export const stationName = (stationId: string): ActorName<StationMsg> => actorName<StationMsg>(`station/${stationId}/station`);
export const connectionName = (stationId: string): ActorName<ConnectionMsg> =>
  actorName<ConnectionMsg>(`station/${stationId}/connection`);
