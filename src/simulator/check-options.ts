/**
 * Validation of SimulateOptions, shared by `simulate` and the argument parser so both
 * refuse the same things with the same message. `name` turns an option key into what the
 * user typed (e.g. `--stations`).
 */
import { ConfigError } from '../errors';
import type { SimulateOptions } from './options';
import { ID_TOKEN_TYPES, STOPPED_REASONS } from './payloads';

/** Identities are identifierStrings of at most 48 characters (OCPP-J Part 4 §3.1.1). */
const IDENTIFIER_STRING = /^[a-zA-Z0-9*\-_=+|@.]*$/;
const MAX_IDENTITY = 48;
const INDEX_DIGITS = 5;
export const MAX_STATIONS = 99_999;

type Key = keyof SimulateOptions;

const INTEGER_RANGES: Partial<Record<Key, [min: number, max: number]>> = {
  stations: [1, MAX_STATIONS],
  concurrency: [1, 10_000],
  meterIntervalMs: [0, 86_400_000],
  meterUpdates: [0, 100_000],
  callTimeoutMs: [1, 3_600_000],
  evses: [1, 100],
  reportItemsPerMessage: [1, 1000],
  lingerMs: [0, 86_400_000],
  sessionDelayMs: [0, 86_400_000],
  bootRetryFallbackMs: [1, 86_400_000],
  reconnectAttempts: [0, 1_000_000],
  reconnectWaitMs: [0, 86_400_000],
  reconnectRandomMs: [0, 86_400_000],
  rebootDelayMs: [0, 86_400_000],
  progressIntervalMs: [1, 3_600_000],
};

export function checkOptions(options: SimulateOptions, name: (key: Key) => string = (key) => key): ConfigError | undefined {
  if (typeof options.url !== 'string' || options.url === '') {
    return new ConfigError(name('url'), options.url, 'missing: the CSMS endpoint is required, e.g. ws://127.0.0.1:9000/ocpp');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return new ConfigError(name('url'), options.url, 'not a URL; expected ws://host[:port]/path or wss://…');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return new ConfigError(name('url'), options.url, 'the scheme must be ws:// or wss://');
  }
  for (const [key, [min, max]] of Object.entries(INTEGER_RANGES) as Array<[Key, [number, number]]>) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return new ConfigError(name(key), value, `a whole number from ${min} to ${max}`);
    }
  }
  if (options.powerW !== undefined && !(typeof options.powerW === 'number' && options.powerW > 0 && Number.isFinite(options.powerW))) {
    return new ConfigError(name('powerW'), options.powerW, 'a positive number of watts');
  }
  if (options.identities !== undefined) {
    const invalid = checkIdentities(options, name);
    if (invalid) return invalid;
  }
  if (options.identityPrefix !== undefined) {
    if (!IDENTIFIER_STRING.test(options.identityPrefix) || options.identityPrefix.length + INDEX_DIGITS > MAX_IDENTITY) {
      return new ConfigError(name('identityPrefix'), options.identityPrefix, `at most ${MAX_IDENTITY - INDEX_DIGITS} characters from a-z A-Z 0-9 * - _ = + | @ .`);
    }
  }
  if (options.idToken !== undefined && (options.idToken.length === 0 || options.idToken.length > 36)) {
    return new ConfigError(name('idToken'), options.idToken, '1 to 36 characters (IdTokenType.idToken)');
  }
  if (options.idTokenType !== undefined && !ID_TOKEN_TYPES.includes(options.idTokenType)) {
    return new ConfigError(name('idTokenType'), options.idTokenType, `one of ${ID_TOKEN_TYPES.join(', ')}`);
  }
  if (options.stoppedReason !== undefined && !STOPPED_REASONS.includes(options.stoppedReason)) {
    return new ConfigError(name('stoppedReason'), options.stoppedReason, `one of ${STOPPED_REASONS.join(', ')}`);
  }
  return undefined;
}

function checkIdentities(options: SimulateOptions, name: (key: Key) => string): ConfigError | undefined {
  const list = options.identities!;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_STATIONS) {
    return new ConfigError(name('identities'), list, `1 to ${MAX_STATIONS} station identities`);
  }
  const seen = new Set<string>();
  for (const entry of list) {
    const identity = entry?.identity;
    if (typeof identity !== 'string' || identity === '' || identity.length > MAX_IDENTITY || !IDENTIFIER_STRING.test(identity)) {
      return new ConfigError(name('identities'), identity, `an identity of 1 to ${MAX_IDENTITY} characters from a-z A-Z 0-9 * - _ = + | @ . (OCPP-J Part 4 §3.1.1)`);
    }
    if (seen.has(identity)) return new ConfigError(name('identities'), identity, 'each identity once');
    seen.add(identity);
    if (entry.password !== undefined && (typeof entry.password !== 'string' || entry.password === '')) {
      return new ConfigError(name('identities'), identity, 'a non-empty password after the colon, or none');
    }
  }
  if (options.stations !== undefined && options.stations !== list.length) {
    return new ConfigError(name('stations'), options.stations, `${list.length}, the number of identities given, or leave it out`);
  }
  return undefined;
}
