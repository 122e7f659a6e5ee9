/**
 * What an operator can tune about a simulation run. Every option is documented with its
 * default here, where it is defined; `resolveOptions` fills the defaults in one place.
 */
import type { IdTokenEnum, StoppedReason } from './payloads';

export interface SimulateOptions {
  /** CSMS endpoint, `ws://` or `wss://`; each station connects to `<url>/<identity>` (OCPP-J Part 4 §3.1.1). Required. */
  url: string;
  /** Number of simulated stations. Default 1. */
  stations?: number;
  /** Connection attempts in flight at once (the ramp-up bound). Default 10. */
  concurrency?: number;
  /** Identities are `<prefix><index, zero-padded to 5>`, e.g. `SIM-00001`. Default `SIM-`. */
  identityPrefix?: string;
  /**
   * Play exactly these stations instead (e.g. the demo stations CP001–CP003), each with its own
   * Basic-auth password or, without one, `password`. `stations` then defaults to their number and
   * may not differ from it. Default: none (numbered identities).
   */
  identities?: readonly StationIdentity[];
  /** Basic-auth password (security profiles 1 and 2); the username is the identity. Default: none. */
  password?: string;
  /** PEM CA certificate(s) trusted for `wss://` (instead of the system store). Default: system store. */
  ca?: string | Buffer;
  /** PEM client certificate and key for security profile 3. Default: none. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** idToken presented in Authorize and TransactionEvent. Default `SIMTOKEN01` of type `ISO14443`. */
  idToken?: string;
  idTokenType?: IdTokenEnum;
  /** Milliseconds between TransactionEvent Updated messages. Default 5000. */
  meterIntervalMs?: number;
  /**
   * Milliseconds between the station's boot and the start of its session (the EV arriving), e.g.
   * so that a CSMS can set its charging profiles first (a site's TxDefaultProfile). Default 0.
   */
  sessionDelayMs?: number;
  /** Number of TransactionEvent Updated messages (meter samples) per session. Default 3. */
  meterUpdates?: number;
  /** Charging power reported in Power.Active.Import (W); energy grows accordingly. Default 11000. */
  powerW?: number;
  /** stoppedReason of TransactionEvent Ended. Default `Local`. */
  stoppedReason?: StoppedReason;
  /** How long to wait for the CSMS to answer a call (OCPP-J Part 4 §4.1.1). Default 30000. */
  callTimeoutMs?: number;
  /** Number of EVSEs per station, each with one connector. Default 1. */
  evses?: number;
  /** Items per NotifyReport message when answering GetBaseReport (multi-part, `tbc`). Default 4. */
  reportItemsPerMessage?: number;
  /** Keep each station connected this long after its session, answering CSMS calls. Default 0. */
  lingerMs?: number;
  /** Boot retry delay when the CSMS answers Pending with interval 0 (no guidance). Default 10000. */
  bootRetryFallbackMs?: number;
  /**
   * Reconnection attempts after a connection is lost (OCPP-J Part 4 §5.3), before the station
   * gives up (a real station never does; a simulation must end). 0: no reconnection. Default 10.
   */
  reconnectAttempts?: number;
  /** First reconnection back-off (RetryBackOffWaitMinimum), doubled after each failed attempt up to 3 times. Default 1000. */
  reconnectWaitMs?: number;
  /** Random time up to this added to every back-off (RetryBackOffRandomRange). Default 1000. */
  reconnectRandomMs?: number;
  /** How long an accepted Reset keeps the station away before it reconnects and boots again. Default 1000. */
  rebootDelayMs?: number;
  /** Validate every outgoing payload against the OCPP 2.0.1 schemas before sending. Default true. */
  validateOutgoing?: boolean;
  /** How often the progress callback is called (ms). Default 250. */
  progressIntervalMs?: number;
}

/** One station to play: its identity and, optionally, its own Basic-auth password. */
export interface StationIdentity {
  readonly identity: string;
  readonly password?: string;
}

export type ResolvedOptions = Required<Omit<SimulateOptions, 'password' | 'ca' | 'cert' | 'key' | 'identities'>> &
  Pick<SimulateOptions, 'password' | 'ca' | 'cert' | 'key' | 'identities'>;

export const DEFAULTS = {
  stations: 1,
  concurrency: 10,
  identityPrefix: 'SIM-',
  idToken: 'SIMTOKEN01',
  idTokenType: 'ISO14443',
  meterIntervalMs: 5000,
  meterUpdates: 3,
  sessionDelayMs: 0,
  powerW: 11000,
  stoppedReason: 'Local',
  callTimeoutMs: 30000,
  evses: 1,
  reportItemsPerMessage: 4,
  lingerMs: 0,
  bootRetryFallbackMs: 10000,
  reconnectAttempts: 10,
  reconnectWaitMs: 1000,
  reconnectRandomMs: 1000,
  rebootDelayMs: 1000,
  validateOutgoing: true,
  progressIntervalMs: 250,
} as const satisfies Omit<ResolvedOptions, 'url'>;

export function resolveOptions(options: SimulateOptions): ResolvedOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved = { ...DEFAULTS, ...defined } as ResolvedOptions;
  return options.identities && options.stations === undefined ? { ...resolved, stations: options.identities.length } : resolved;
}

/** The stations of a run, in order: the identities given, or numbered ones with the common password. */
export function stationsOf(options: ResolvedOptions): StationIdentity[] {
  if (options.identities) return options.identities.map((s) => ({ identity: s.identity, password: s.password ?? options.password }));
  return Array.from({ length: options.stations }, (_, index) => ({ identity: stationIdentity(options.identityPrefix, index), password: options.password }));
}

/** Identity of the station with 0-based `index` (1-based in the name, as operators count). */
export function stationIdentity(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(5, '0')}`;
}
