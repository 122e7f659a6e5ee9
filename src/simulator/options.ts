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
  /** Validate every outgoing payload against the OCPP 2.0.1 schemas before sending. Default true. */
  validateOutgoing?: boolean;
  /** How often the progress callback is called (ms). Default 250. */
  progressIntervalMs?: number;
}

export type ResolvedOptions = Required<Omit<SimulateOptions, 'password' | 'ca' | 'cert' | 'key'>> &
  Pick<SimulateOptions, 'password' | 'ca' | 'cert' | 'key'>;

export const DEFAULTS = {
  stations: 1,
  concurrency: 10,
  identityPrefix: 'SIM-',
  idToken: 'SIMTOKEN01',
  idTokenType: 'ISO14443',
  meterIntervalMs: 5000,
  meterUpdates: 3,
  powerW: 11000,
  stoppedReason: 'Local',
  callTimeoutMs: 30000,
  evses: 1,
  reportItemsPerMessage: 4,
  lingerMs: 0,
  bootRetryFallbackMs: 10000,
  validateOutgoing: true,
  progressIntervalMs: 250,
} as const satisfies Omit<ResolvedOptions, 'url'>;

export function resolveOptions(options: SimulateOptions): ResolvedOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...defined } as ResolvedOptions;
}

/** Identity of the station with 0-based `index` (1-based in the name, as operators count). */
export function stationIdentity(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(5, '0')}`;
}
