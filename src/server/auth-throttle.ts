/**
 * Throttling of failed Basic authentication (issue 11), per station identity and per source
 * address: someone guessing passwords gets ever slower answers, and costs the CSMS at most one
 * password verification (a scrypt run on the libuv pool) per identity and per address in each
 * back-off interval, so the pool stays free for honest stations.
 *
 * - The first `freeFailures` failures of an identity (`freeFailuresPerAddress` of an address)
 *   within `windowMs` cost nothing extra. From then on the key is throttled: each failed attempt
 *   sets its next allowed attempt `baseDelayMs · 2^(failures − free)` later (at most
 *   `maxBackoffMs`), and is answered only after that delay (at most `maxDelayMs`, kept below the
 *   handshake timeout).
 * - An attempt on a throttled key before its allowed time, or while another attempt of it is
 *   being verified, is refused without verifying the password at all (the KDF never runs),
 *   after a delay too.
 * - Credentials the verified-credentials cache already holds (a station that connected before,
 *   `CredentialVerifier.remembers`) are checked with an HMAC and admitted at once: a station whose
 *   identity or NAT address is under attack keeps reconnecting.
 * - A key forgets its failures `windowMs` after the last one; a success clears its identity's.
 * - The start of each burst is one warn line per key (`authentication throttled`); the attempts
 *   refused during it are debug lines. Nothing here logs a password.
 *
 * Memory is bounded: at most `maxKeys` keys, the least recently failed forgotten first.
 */
import { loggerFor } from '../log';
import type { PasswordVerifier } from './handshake';

const log = loggerFor('listener');

export interface AuthenticationThrottleOptions {
  /** Failures of one identity within the window before it is throttled. Default 5. */
  readonly freeFailures?: number;
  /**
   * Failures from one address before it is throttled. Default 20: several chargers of a site
   * often share one address (NAT), and one of them failing must not lock out the others.
   */
  readonly freeFailuresPerAddress?: number;
  /** First back-off, doubled with each further failure. Default 1000 ms. */
  readonly baseDelayMs?: number;
  /** Longest interval between two verified attempts of a throttled key. Default 60,000 ms. */
  readonly maxBackoffMs?: number;
  /** Longest a refusal is held back (keep it below the handshake timeout). Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** A key's failures are forgotten this long after its last one. Default 15 minutes. */
  readonly windowMs?: number;
  /** Keys remembered at most. Default 10,000. */
  readonly maxKeys?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** How a refusal is held back, for tests. Default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The cache check the throttle needs of `CredentialVerifier` (no KDF). */
export interface RememberingVerifier extends PasswordVerifier {
  remembers(identity: string, password: string, storedHash: string): boolean;
}

interface KeyState {
  /** Failures tolerated before throttling (identity or address). */
  readonly free: number;
  failures: number;
  lastFailureAt: number;
  nextAttemptAt: number;
  /** Verifications of this key running now. */
  inFlight: number;
  /** The burst's warn line was written. */
  warned: boolean;
  /** Attempts refused without verification during this burst. */
  refused: number;
}

export interface ThrottleStats {
  /** Attempts refused without running the KDF. */
  readonly refusedUnverified: number;
  /** Keys tracked now. */
  readonly keys: number;
}

export class AuthenticationThrottle {
  private readonly keys = new Map<string, KeyState>();
  private readonly freeFailures: number;
  private readonly freeFailuresPerAddress: number;
  private readonly baseDelayMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxDelayMs: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private refusedUnverified = 0;

  constructor(
    private readonly inner: RememberingVerifier,
    options: AuthenticationThrottleOptions = {},
  ) {
    this.freeFailures = options.freeFailures ?? 5;
    this.freeFailuresPerAddress = options.freeFailuresPerAddress ?? 20;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  /** The verifier for one connection attempt from `address` (the handshake's `verifier`). */
  verifierFor(address: string | undefined): PasswordVerifier {
    return { verify: (identity, password, storedHash) => this.verify(identity, address, password, storedHash) };
  }

  get stats(): ThrottleStats {
    return { refusedUnverified: this.refusedUnverified, keys: this.keys.size };
  }

  private async verify(identity: string, address: string | undefined, password: string, storedHash: string): Promise<boolean> {
    if (this.inner.remembers(identity, password, storedHash)) return this.inner.verify(identity, password, storedHash);
    const now = this.now();
    const keys = [`identity ${identity}`, ...(address !== undefined ? [`address ${address}`] : [])];
    const states = keys.map((key, index) => this.state(key, index === 0 ? this.freeFailures : this.freeFailuresPerAddress, now));
    // A throttled key gets one verification at a time, and none before its next allowed attempt.
    const blocked = states.some((s) => s.failures >= s.free && (now < s.nextAttemptAt || s.inFlight > 0));
    if (blocked) {
      this.refusedUnverified++;
      for (const [index, s] of states.entries()) this.fail(keys[index]!, s, now, identity, address, false);
      await this.sleep(Math.min(this.maxDelayMs, Math.max(this.baseDelayMs, ...states.map((s) => s.nextAttemptAt - now))));
      return false;
    }
    for (const s of states) s.inFlight++;
    let ok: boolean;
    try {
      ok = await this.inner.verify(identity, password, storedHash);
    } finally {
      for (const s of states) s.inFlight--;
    }
    const after = this.now();
    if (ok) {
      this.keys.delete(keys[0]!);
      return true;
    }
    for (const [index, s] of states.entries()) this.fail(keys[index]!, s, after, identity, address, true);
    const delay = Math.max(...states.map((s) => (s.failures >= s.free ? s.nextAttemptAt - after : 0)));
    if (delay > 0) await this.sleep(Math.min(delay, this.maxDelayMs));
    return false;
  }

  /** The key's state, its failures forgotten when the window passed since the last one. */
  private state(key: string, free: number, now: number): KeyState {
    let s = this.keys.get(key);
    if (s && now - s.lastFailureAt >= this.windowMs && s.inFlight === 0) {
      this.keys.delete(key);
      s = undefined;
    }
    if (!s) {
      s = { free, failures: 0, lastFailureAt: now, nextAttemptAt: 0, inFlight: 0, warned: false, refused: 0 };
      this.keys.set(key, s);
      if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    }
    return s;
  }

  private fail(key: string, s: KeyState, now: number, identity: string, address: string | undefined, verified: boolean): void {
    s.lastFailureAt = now;
    // Re-inserted: the Map's order is least recently failed first (what maxKeys evicts).
    this.keys.delete(key);
    this.keys.set(key, s);
    if (!verified) {
      s.refused++;
      log.debug('authentication attempt refused unverified: throttled', { key, station: identity, remote: address });
      return;
    }
    s.failures++;
    if (s.failures < s.free) return;
    const backoff = Math.min(this.maxBackoffMs, this.baseDelayMs * 2 ** Math.min(30, s.failures - s.free));
    s.nextAttemptAt = now + backoff;
    if (!s.warned) {
      s.warned = true;
      log.warn('authentication throttled: repeated failures', { key, station: identity, remote: address, failures: s.failures, backoffMs: backoff });
    }
  }
}
