/**
 * A station's wire: the synchronous half of its connection, held in the station context so that
 * the station actor and the event manager put their answers on the socket directly, without a
 * mailbox hop to the connection actor (DESIGN.md §9, "one way down"). It holds the attached
 * transport, the station CALLs in progress (their ids, Part 4 §4.1.4), the answers waiting for
 * the commit of the change they acknowledge (the per-station first-in-first-out gate of §7), and
 * the status the station actor last published (for answers the connection may make in one hop).
 *
 * The connection actor owns the socket's life (attach, close, loss, bad frames, the CSMS's own
 * calls); everything here runs synchronously inside whichever actor's turn calls it, so the
 * single-threaded order of those turns is the order on the wire.
 */
import { encodeCallError, encodeCallResult } from '../rpc';
import { loggerFor } from '../log';
import type { OcppErrorCode } from '../errors';
import type { StationAction } from '../../schemas/actions';
import type { FrameEvent, StationStats } from '../station/station-context';
import type { StationStatus } from '../station/state-machine';
import type { StationTelemetry } from '../telemetry/telemetry';
import type { StationStore } from '../station/store';
import type { Ticket } from '../store';
import { forLog } from './frame-log';
import type { Transport } from './transport';

const log = loggerFor('connection');

/** A station CALL being processed: its action, and the store's failure count when it arrived. */
export interface InProgress {
  readonly action: StationAction;
  readonly failuresAtArrival: number;
  /** When its frame arrived, for the handling latency (0 when telemetry is off). */
  readonly startedAt: number;
}

/**
 * An answer waiting for the commit of the change it acknowledges (DESIGN.md §7). Answers leave
 * in the order they were made: one that waits holds back those behind it.
 */
interface PendingAnswer {
  readonly transportId: number;
  readonly messageId: string;
  readonly text: string;
  /** A CALLRESULT acknowledges a change; a CALLERROR only needs its place in the order. */
  readonly acknowledges: boolean;
  readonly ticket?: Ticket;
}

/** What the wire needs of its station (the station context has it all). */
export interface WireStation {
  readonly id: string;
  readonly stats: StationStats;
  readonly store: StationStore;
  readonly telemetry: StationTelemetry;
  readonly observe: (event: FrameEvent) => void;
}

export class StationWire {
  /** The socket attached now; set and cleared by the connection actor. */
  transport?: Transport;
  /** Station CALLs forwarded and not yet answered, by message id. */
  private readonly calls = new Map<string, InProgress>();
  /** Answers waiting for a commit, in order (created on first use). */
  private waiting?: PendingAnswer[];
  /**
   * The state-machine status the running station actor last published; undefined while no
   * station actor runs (between incarnations). Read for answers made in one hop.
   */
  status?: StationStatus;

  constructor(private readonly station: WireStation) {}

  /** Station CALLs in progress. */
  get inProgress(): number {
    return this.calls.size;
  }

  isInProgress(messageId: string): boolean {
    return this.calls.has(messageId);
  }

  begin(messageId: string, call: InProgress): void {
    this.calls.set(messageId, call);
  }

  /** Nothing in progress and nothing waiting: an answer made now is the next on the wire. */
  get quiet(): boolean {
    return this.inProgress === 0 && (this.waiting?.length ?? 0) === 0;
  }

  /**
   * The socket is gone (or its connection actor): what was in progress or waiting is dropped.
   * The published status is forgotten too: the station actor is told of the change by message,
   * and until it has taken it (and published again) nothing is answered in one hop.
   */
  detach(): void {
    this.transport = undefined;
    this.status = undefined;
    this.calls.clear();
    if (this.waiting) this.waiting.length = 0;
  }

  /** For telemetry's gauges: the live map of calls in progress. */
  get inProgressCalls(): ReadonlyMap<string, InProgress> {
    return this.calls;
  }

  /** A CALLRESULT for the station CALL `messageId` that came on `transportId`. */
  result(transportId: number, messageId: string, payload: unknown): void {
    if (this.transport?.id !== transportId || !this.isInProgress(messageId)) return;
    this.answer({ transportId, messageId, text: encodeCallResult(messageId, payload as object), acknowledges: true });
  }

  /** A CALLERROR for the station CALL `messageId` that came on `transportId`. */
  error(transportId: number, messageId: string, code: OcppErrorCode, description: string, details: Record<string, unknown>): void {
    if (this.transport?.id !== transportId || !this.isInProgress(messageId)) return;
    this.answer({ transportId, messageId, text: encodeCallError(messageId, code, description, details), acknowledges: false });
  }

  /** Put one frame on the socket, observed and counted (DESIGN.md §4: every frame is observable). */
  send(text: string): void {
    const { station, transport } = this;
    if (!transport) return;
    station.stats.framesOut += 1;
    station.telemetry.frameSent(text);
    station.observe({ stationId: station.id, direction: 'out', text });
    if (log.isDebugEnabled()) log.debug('frame', { station: station.id, direction: 'out', frame: forLog(text) });
    transport.send(text);
  }

  /**
   * Send an answer once the station's latest change is committed: at once when nothing is
   * pending (the in-memory store, a Heartbeat), else after the commit ticket settles — and as
   * CALLERROR InternalError when the commit failed, never as a false CALLRESULT (DESIGN.md §7).
   */
  private answer(entry: Omit<PendingAnswer, 'ticket'>): void {
    const ticket = this.station.store.pending(this.station.id);
    const waiting = this.waiting;
    if ((waiting === undefined || waiting.length === 0) && ticket === undefined) {
      this.deliver(entry);
      return;
    }
    (this.waiting ??= []).push({ ...entry, ticket });
    if (ticket && !ticket.settled) {
      const wake = () => this.flush();
      ticket.promise.then(wake, wake);
    } else {
      this.flush();
    }
  }

  private flush(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    while (waiting.length > 0) {
      const head = waiting[0]!;
      if (head.ticket && !head.ticket.settled) return;
      waiting.shift();
      // The socket it was for is gone: the station will resend (its id is no longer in progress).
      if (this.transport?.id !== head.transportId) continue;
      this.deliver(head);
    }
  }

  /**
   * Put an answer on the wire, unless a change made while its request was processed failed to
   * commit: then the station gets InternalError and sends the message again (DESIGN.md §7).
   */
  private deliver(entry: Omit<PendingAnswer, 'ticket'>): void {
    const { station } = this;
    const request = this.calls.get(entry.messageId);
    if (!request) return;
    this.calls.delete(entry.messageId);
    if (entry.acknowledges && station.store.failures(station.id) > request.failuresAtArrival) {
      log.warn('answer withheld: a change it acknowledges was not stored', { station: station.id, messageId: entry.messageId, action: request.action });
      station.telemetry.requestAnswered(entry.messageId, request.action, request.startedAt, false);
      this.send(encodeCallError(entry.messageId, 'InternalError', 'the CSMS could not store this message; send it again', {}));
      return;
    }
    station.telemetry.requestAnswered(entry.messageId, request.action, request.startedAt, entry.acknowledges);
    this.send(entry.text);
  }
}
