/**
 * Everything a station's three actors share that must outlive any one of their incarnations:
 * its registration (spec), the core settings, counters, the store that keeps its standing, the
 * frame observer, and the slot that holds its attached transport. Created when the station is
 * added, dropped when it is removed; the actors restart around it (DESIGN.md §2).
 */
import type { OcppHandler } from '../../handlers/behaviour';
import type { OcppAction } from '../../schemas/actions';
import type { Transport } from '../connection/transport';
import { StationWire } from '../connection/wire';
import type { EvseConfig } from './model/evse';
import { connectionName, eventManagerName, stationName, type ConnectionMsg, type EventManagerMsg, type StationMsg } from './messages';
import type { ActorName } from '../runtime';
import type { StationStore } from './store';
import type { HandlerServices, StationCalls } from '../events/contract';
import { NOOP_TELEMETRY, type StationTelemetry, type Telemetry } from '../telemetry/telemetry';

/** Schema validation of a station's messages: strict (the default) or log-only (DESIGN.md §4). */
export type ValidationMode = 'strict' | 'log-only';

export interface ValidationPolicy {
  /** Default for every action of the station. */
  readonly mode?: ValidationMode;
  /** Per-action overrides, e.g. `{ MeterValues: 'log-only' }` for a charger known to send bad units. */
  readonly actions?: Readonly<Partial<Record<OcppAction, ValidationMode>>>;
}

/** OCPP security profile a station is registered with (0 = no authentication, development only). */
export type SecurityProfile = 0 | 1 | 2 | 3;

/** A station's registration. */
export interface StationSpec {
  readonly id: string;
  /** EVSEs and connectors known before the station reports them. */
  readonly evse: EvseConfig;
  readonly handler: OcppHandler;
  /** How the server names the handler (`standard`, `accept-all`, a module path): what a durable registry keeps. */
  readonly handlerName?: string;
  readonly handlerArgs?: unknown;
  readonly securityProfile: SecurityProfile;
  /** Salted hash of the Basic-auth password (profiles 1 and 2); never the password itself. */
  readonly passwordHash?: string;
  readonly validation?: ValidationPolicy;
}

/** What the embedding application registers a station with (`Csms.addStation`). */
export interface StationRegistration {
  /** EVSEs known before the station reports them: a count, or `[{ id, connectors }]`. Default 1. */
  readonly evse?: EvseConfig;
  readonly handler: OcppHandler;
  /** How the server names the handler (`standard`, `accept-all`, a module path): what a durable registry keeps. */
  readonly handlerName?: string;
  readonly handlerArgs?: unknown;
  /** OCPP security profile (1 Basic auth, 2 Basic auth over TLS, 3 client certificates; 0 none). */
  readonly securityProfile?: SecurityProfile;
  /** Salted hash of the station's Basic-auth password (see src/server/credentials.ts). */
  readonly passwordHash?: string;
  readonly validation?: ValidationPolicy;
}

/** Core settings shared by every station (from the configuration file). */
export interface StationSettings {
  /**
   * A connected station with no accepted boot on record that sends anything but a
   * BootNotification is asked to boot (TriggerMessage BootNotification, once per connection)
   * while its messages are refused (default true; DESIGN.md §7).
   */
  readonly triggerBootWhenUnbooted: boolean;
  /** Default timeout of a CSMS-initiated call, from when it goes on the wire (default 30 s). */
  readonly callTimeoutMs: number;
  /** Calls that may wait behind the outstanding one (default 100). */
  readonly queueLimit: number;
  /** How long a handler may take to answer before it counts as crashed (default 30 s). */
  readonly handlerTimeoutMs: number;
  /** More than `intensity` handler crashes within `periodMs` escalate to the station supervisor. */
  readonly handlerCrashLimit: { readonly intensity: number; readonly periodMs: number };
  /** Largest accepted frame, in bytes of UTF-8 (default 64 KiB). */
  readonly maxFrameBytes: number;
  /** More than `count` bad frames within `periodMs` disconnect the station. */
  readonly badFrameLimit: { readonly count: number; readonly periodMs: number };
  /** How long `getBaseReport`/`getReport` wait for the last part of a report (default 60 s). */
  readonly reportTimeoutMs: number;
  /**
   * Calls to an accepted station whose socket is gone (`offline`): 0 (the default) rejects them at
   * once with StationOfflineError; more holds them, in order and up to `queueLimit`, for at most
   * this many ms until the station is back, then sends them (each call's timeout counts from
   * when it goes on the wire). DESIGN.md §3, "offline: rejected (or queued, if configured)".
   */
  readonly offlineCallHoldMs: number;
  /**
   * How long a station may stay `resetting` after it accepted a Reset without rebooting (its socket
   * still up) before it is taken to be running normally again (default 5 min). DESIGN.md §3.
   */
  readonly resetTimeoutMs: number;
  /**
   * An idle station's station actor hibernates after this many ms without a message (default
   * 30 s; 0 never): it drops its standing, which the store keeps, and reloads it on its next
   * message (DESIGN.md §9). Heartbeats of an idle station do not wake it.
   */
  readonly hibernateAfterMs: number;
}

export const DEFAULT_STATION_SETTINGS: StationSettings = {
  triggerBootWhenUnbooted: true,
  callTimeoutMs: 30_000,
  queueLimit: 100,
  handlerTimeoutMs: 30_000,
  handlerCrashLimit: { intensity: 5, periodMs: 60_000 },
  maxFrameBytes: 64 * 1024,
  badFrameLimit: { count: 20, periodMs: 10_000 },
  reportTimeoutMs: 60_000,
  offlineCallHoldMs: 0,
  resetTimeoutMs: 300_000,
  hibernateAfterMs: 30_000,
};

/** Counters of a station, kept across restarts of its actors. */
export interface StationStats {
  handlerCrashes: number;
  stationStarts: number;
  connectionStarts: number;
  framesIn: number;
  framesOut: number;
  badFrames: number;
  /**
   * Valid requests answered whose content went past this CSMS's own model limits (MODEL_LIMITS,
   * MAX_REPORT_PARTS) and was not tracked. Never a refusal: the limits are the CSMS's, not the
   * protocol's.
   */
  untracked: number;
  /** Times the station actor hibernated (DESIGN.md §9), and woke again. */
  hibernations: number;
  wakes: number;
}

/** One frame in or out, good or bad: what the embedding application can subscribe to. */
export interface FrameEvent {
  readonly stationId: string;
  readonly direction: 'in' | 'out';
  readonly text: string;
  /** For a bad inbound frame: the OCPP error code it was answered (or refused) with. */
  readonly error?: string;
}

/** The registry names of a station's three actors, made once (every message looks one up). */
export interface StationNames {
  readonly events: ActorName<EventManagerMsg>;
  readonly station: ActorName<StationMsg>;
  readonly connection: ActorName<ConnectionMsg>;
}

export interface StationContext {
  readonly id: string;
  readonly names: StationNames;
  /** The registration; replaced as a whole (never mutated) when credentials change (Csms.updateCredentials). */
  spec: StationSpec;
  readonly settings: StationSettings;
  readonly handler: OcppHandler;
  readonly stats: StationStats;
  readonly store: StationStore;
  /** The transport currently attached, outside the actors so a restarted connection can close it. */
  readonly slot: { transport?: Transport };
  /**
   * The synchronous half of the connection (src/connection/wire.ts): the station actor and the
   * event manager answer station CALLs through it, in one hop (DESIGN.md §9).
   */
  readonly wire: StationWire;
  /** The frame observer (the application's subscription); must not throw. */
  readonly observe: (event: FrameEvent) => void;
  /** What the handler reaches besides requests (DESIGN.md §8): the CSMS services and its station's call API. */
  readonly services?: HandlerServices;
  readonly calls?: StationCalls;
  /** Where its actors report counters, latencies and spans (DESIGN.md §9); a no-op unless telemetry is on. */
  readonly telemetry: StationTelemetry;
  validationMode(action: OcppAction): ValidationMode;
}

export function createStationContext(options: {
  spec: StationSpec;
  settings: StationSettings;
  store: StationStore;
  observe?: (event: FrameEvent) => void;
  services?: HandlerServices;
  calls?: StationCalls;
  telemetry?: Telemetry;
}): StationContext {
  const { spec } = options;
  const slot: { transport?: Transport } = {};
  const observe = options.observe ?? (() => undefined);
  const stats: StationStats = { handlerCrashes: 0, stationStarts: 0, connectionStarts: 0, framesIn: 0, framesOut: 0, badFrames: 0, untracked: 0, hibernations: 0, wakes: 0 };
  const telemetry = (options.telemetry ?? NOOP_TELEMETRY).station(spec.id, slot);
  const observeSafely = (event: FrameEvent) => {
    try {
      observe(event);
    } catch {
      // An observer that throws must not break the connection; it is the application's bug.
    }
  };
  const context: StationContext = {
    id: spec.id,
    names: { events: eventManagerName(spec.id), station: stationName(spec.id), connection: connectionName(spec.id) },
    spec,
    settings: options.settings,
    handler: spec.handler,
    stats,
    store: options.store,
    services: options.services,
    calls: options.calls,
    slot,
    wire: new StationWire({ id: spec.id, stats, store: options.store, telemetry, observe: observeSafely }),
    telemetry,
    observe: observeSafely,
    // Reads the current spec, not the one captured here: Csms.updateCredentials replaces `spec`.
    validationMode: (action) => context.spec.validation?.actions?.[action] ?? context.spec.validation?.mode ?? 'strict',
  };
  return context;
}
