/**
 * The telemetry sink (DESIGN.md §9: "counters and latencies go to a telemetry sink read without a
 * mailbox round trip per station"). The actors call it synchronously at the point of each event;
 * a metrics scrape reads what it keeps, and never queries an actor.
 *
 * Two levels:
 * - `Telemetry`, one per CSMS: events that belong to no station (supervision, handshakes, store
 *   commits, CSMS calls made through the API), and the factory of station handles.
 * - `StationTelemetry`, one per registered station, held by its StationContext: what its three
 *   actors report. It is created once per station, so the hot path allocates nothing of its own.
 *
 * `NOOP_TELEMETRY` is the default everywhere: with metrics and traces off, every call is an empty
 * method and nothing is kept.
 */

/** How a promise is settled (structurally the station messages' `Deferred`). */
export interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A CSMS call as the connection actor holds it (`OutboundCall`, structurally). */
export interface CallLike {
  readonly action: string;
  readonly done: Settle<unknown>;
}

/** The answer to a CSMS call as the connection actor settles it. */
export type CallOutcome = { readonly ok: true } | { readonly ok: false; readonly error: Error };

/** What one station's actors report. */
export interface StationTelemetry {
  /**
   * The connection actor's outbound call queue and its station requests in progress, read at
   * scrape time (each incarnation hands over its own; nothing is counted per message).
   */
  watchConnection(queue: readonly unknown[], inProgress: ReadonlyMap<string, unknown>): void;
  /** The station's state (DESIGN.md §3), as the station actor last left it. */
  stationStatus(status: string): void;
  /** A frame arrived (before it is decoded). */
  frameReceived(): void;
  /** A frame went on the wire; a CALLERROR's code is counted. */
  frameSent(text: string): void;
  /** A frame counted against the bad-frame limit. */
  badFrame(): void;
  /** A CALLERROR from the station, with its code. */
  callErrorReceived(code: string): void;
  /** A station CALL was decoded and forwarded; returns its start time (0 when nothing is measured). */
  requestStarted(messageId: string, action: string): number;
  /** The station actor takes the request / has handed it on or answered it. */
  requestAtStation(messageId: string): void;
  requestLeftStation(messageId: string): void;
  /** The handler runs the request / has answered (`failed`: it crashed, timed out or answered invalidly). */
  handlerStarted(messageId: string): void;
  handlerFinished(messageId: string, outcome: 'reply' | 'error' | 'noreply'): void;
  /** The answer to a station request went on the wire (`ok`: CALLRESULT, else CALLERROR). */
  requestAnswered(messageId: string, action: string, startedAt: number, ok: boolean): void;
  /** The handler crashed (threw, timed out, answered invalidly) and is reinstalled. */
  handlerCrashed(): void;
  /** A CSMS call went on the wire / was answered or failed there. */
  callSent(call: CallLike, messageId: string): void;
  callSettled(call: CallLike, outcome: CallOutcome): void;
  /** The station was removed: it no longer counts. */
  release(): void;
}

/** What the CSMS reports besides its stations. */
export interface Telemetry {
  /** False for the no-op sink: callers may skip work that only telemetry needs. */
  readonly enabled: boolean;
  /** The handle of a station; `slot` is its socket slot (read at scrape time for "connected"). */
  station(id: string, slot: { readonly transport?: unknown }): StationTelemetry;
  /**
   * A CSMS call made through the API (`Csms.call`): returns what settles it, wrapped to count its
   * outcome and end its span (the same object when nothing is measured).
   */
  csmsCall<T>(stationId: string, action: string, done: Settle<T>): Settle<T>;
  /** A supervisor (by its path, e.g. `csms/stations/CP001`) restarted a child / gave up and escalated. */
  supervisorRestarted(supervisor: string): void;
  supervisorEscalated(supervisor: string): void;
  /** The listener refused an upgrade; `securityProfile` is the station's registered one, if known. */
  handshakeRefused(reason: string, securityProfile: number | undefined): void;
  /** The store's group committer ended a commit (src/store/committer.ts `onCommit`). */
  storeCommitted(ms: number, statements: number, ok: boolean): void;
}

class NoopStationTelemetry implements StationTelemetry {
  watchConnection(): void {}
  stationStatus(): void {}
  frameReceived(): void {}
  frameSent(): void {}
  badFrame(): void {}
  callErrorReceived(): void {}
  requestStarted(): number {
    return 0;
  }
  requestAtStation(): void {}
  requestLeftStation(): void {}
  handlerStarted(): void {}
  handlerFinished(): void {}
  requestAnswered(): void {}
  handlerCrashed(): void {}
  callSent(): void {}
  callSettled(): void {}
  release(): void {}
}

/** The default sink: metrics and traces off, nothing kept, nothing allocated. */
export class NoopTelemetry implements Telemetry {
  readonly enabled = false;
  private readonly handle = new NoopStationTelemetry();
  station(): StationTelemetry {
    return this.handle;
  }
  csmsCall<T>(_stationId: string, _action: string, done: Settle<T>): Settle<T> {
    return done;
  }
  supervisorRestarted(): void {}
  supervisorEscalated(): void {}
  handshakeRefused(): void {}
  storeCommitted(): void {}
}

export const NOOP_TELEMETRY: Telemetry = new NoopTelemetry();
export const NOOP_STATION_TELEMETRY: StationTelemetry = NOOP_TELEMETRY.station('', {});

/**
 * The sink of an actor system's supervisors. Supervisors (supervisors/supervisor.ts) know their
 * actor system, not the CSMS: the Csms binds its sink to its system once, and a supervisor looks
 * it up only when it restarts or gives up (rare), never per message.
 */
const bySystem = new WeakMap<object, Telemetry>();

export function bindSupervisionTelemetry(system: object, telemetry: Telemetry): void {
  bySystem.set(system, telemetry);
}

export function supervisionTelemetry(system: object): Telemetry {
  return bySystem.get(system) ?? NOOP_TELEMETRY;
}

/**
 * The level of a supervisor in the CSMS tree (DESIGN.md §2), a bounded label: `app` (the root),
 * `stations`, `station` (any one station's supervisor: never its id), else the child's id.
 */
export function supervisionLevel(path: string): string {
  const parts = path.split('/');
  if (parts.length === 1) return 'app';
  if (parts[1] === 'stations') return parts.length === 2 ? 'stations' : 'station';
  return parts.length === 2 ? (parts[1] ?? 'other') : 'other';
}
