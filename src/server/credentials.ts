/**
 * Station passwords for security profiles 1 and 2 (HTTP Basic authentication).
 *
 * The rules come from OCPP 2.0.1: the Basic-auth user-id is the station identity and the
 * password is SecurityCtrlr.BasicAuthPassword (Part 2 appendices §3.1.15 as corrected by the
 * errata 2023-12 §2.17.3): 16 to 40 characters, randomly chosen, of the passwordString set,
 * which conformance test TC_A_01_CS (Part 6) spells out as alphanumerics plus the special
 * characters of identifierString (`* - _ = + | @ .`); sent as UTF-8.
 *
 * Passwords are stored only as a salted scrypt hash in a self-describing string, so the cost
 * can change later without invalidating stored hashes:
 *
 *     scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>
 *
 * Verification runs the asynchronous `crypto.scrypt` (libuv thread pool, the event loop stays
 * free) and compares with `crypto.timingSafeEqual`. A bounded cache of recently verified
 * credentials (`CredentialVerifier`) lets a reconnect storm of known stations skip the KDF.
 *
 * Nothing here logs or formats a password, a stored hash or a derived key.
 */
import { createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConfigError } from '../errors';

export const MIN_PASSWORD_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 40;

// passwordString: alphanumerics and the special characters of identifierString (TC_A_01_CS).
const PASSWORD_STRING = /^[A-Za-z0-9*\-_=+|@.]+$/;

/**
 * The default KDF cost: N = 2^9, r = 8, p = 1 (512 KiB of memory, about 0.9 ms of one core on
 * the benchmark machine, see bench/README.md "credentials").
 *
 * Why so much lower than the interactive-login recommendations (N = 2^17): a KDF's cost only
 * slows an attacker who has stolen the hashes and guesses passwords offline, which matters for
 * passwords people choose. BasicAuthPassword is machine-generated and random (errata §2.17.3:
 * "randomly chosen ... with a sufficiently high entropy"): 16 characters from this 72-symbol
 * set carry about 98 bits, and no cost factor changes whether 2^98 guesses are feasible. What
 * the cost does change is the CSMS's own CPU bill when every station reconnects at once (after
 * a CSMS restart or a network outage), on top of a TLS handshake per station for profile 2:
 * the budget is about 1 ms of one core per station, so a 2-core machine absorbs 10,000 cold
 * verifications in a few seconds, where 2^17 (~130 ms each) would take ten minutes. The salt
 * still defeats precomputed tables, each guess still costs 512 KiB of memory, and the parameters
 * travel with each hash, so an operator who stores human-chosen passwords can raise them
 * (`hashPassword(pw, { cost })`) without invalidating existing hashes.
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 512, r: 8, p: 1 };

export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds on parameters read from a stored hash: a corrupted or hostile stored string must not
// make one verification allocate gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_KDF_MEMORY = 256 * 1024 * 1024;

export type PasswordCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'too_short' | 'too_long' | 'invalid_character'; readonly message: string };

/** Check a password against the BasicAuthPassword rules. The message never contains the password. */
export function checkPassword(password: string): PasswordCheck {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, reason: 'too_short', message: `password has ${password.length} characters, at least ${MIN_PASSWORD_LENGTH} required` };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return { ok: false, reason: 'too_long', message: `password has ${password.length} characters, at most ${MAX_PASSWORD_LENGTH} allowed` };
  }
  if (!PASSWORD_STRING.test(password)) {
    return {
      ok: false,
      reason: 'invalid_character',
      message: 'password has characters outside passwordString (letters, digits and * - _ = + | @ .)',
    };
  }
  return { ok: true };
}

export interface HashPasswordOptions {
  /** KDF cost; default `DEFAULT_SCRYPT_COST`. */
  cost?: ScryptCost;
  /** Configuration field named in the error when the password breaks the rules; default `password`. */
  field?: string;
}

/**
 * Hash a station password for storage. Rejects with `ConfigError` (naming `options.field`, never
 * showing the password) when it is not a valid BasicAuthPassword or the cost is out of bounds.
 */
export async function hashPassword(password: string, options: HashPasswordOptions = {}): Promise<string> {
  const field = options.field ?? 'password';
  const check = typeof password === 'string' ? checkPassword(password) : undefined;
  if (!check || !check.ok) {
    throw new ConfigError(field, '[redacted]', check && !check.ok ? check.message : 'a string of 16–40 passwordString characters');
  }
  const cost = options.cost ?? DEFAULT_SCRYPT_COST;
  if (!costInBounds(cost)) {
    throw new ConfigError('scrypt cost', cost, `N a power of two in 2..${MAX_N}, r in 1..${MAX_R}, p in 1..${MAX_P}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export interface ParsedPasswordHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Parse a stored hash string; `undefined` when it is not a well-formed, in-bounds scrypt hash. */
export function parsePasswordHash(stored: string): ParsedPasswordHash | undefined {
  if (typeof stored !== 'string' || stored.length > 512) return undefined;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, hashText] = parts as [string, string, string, string, string, string];
  if (![nText, rText, pText].every((t) => /^[1-9][0-9]{0,7}$/.test(t))) return undefined;
  const cost = { N: Number(nText), r: Number(rText), p: Number(pText) };
  if (!costInBounds(cost)) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(saltText) || !/^[A-Za-z0-9_-]+$/.test(hashText)) return undefined;
  const salt = Buffer.from(saltText, 'base64url');
  const hash = Buffer.from(hashText, 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { cost, salt, hash };
}

/** True when `stored` is a hash this module can verify against (for configuration checks). */
export function isPasswordHash(stored: string): boolean {
  return parsePasswordHash(stored) !== undefined;
}

/**
 * Verify a presented password against a stored hash, in constant time with respect to the
 * password. Resolves false for a wrong password; rejects with `ConfigError` when the stored
 * hash is not one this module wrote (a store problem an operator must see, never a silent "no").
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) throw new ConfigError('passwordHash', '[redacted]', 'a hash in the form scrypt$N$r$p$salt$hash');
  if (typeof password !== 'string') return false;
  const key = await deriveKey(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(key, parsed.hash);
}

function costInBounds(cost: ScryptCost): boolean {
  const { N, r, p } = cost;
  return (
    Number.isInteger(N) && N >= 2 && N <= MAX_N && (N & (N - 1)) === 0 &&
    Number.isInteger(r) && r >= 1 && r <= MAX_R &&
    Number.isInteger(p) && p >= 1 && p <= MAX_P &&
    128 * N * r * p <= MAX_KDF_MEMORY
  );
}

function deriveKey(password: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: MAX_KDF_MEMORY + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(Buffer.from(password, 'utf8'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// ---------------------------------------------------------------------------------------------
// Authorization: Basic (RFC 7617), as OCPP uses it (Part 4 §3.1.1; TC_A_01_CSMS .. TC_A_03_CSMS)

export type BasicAuthFailure =
  | 'missing' // no Authorization header
  | 'not_basic' // another scheme, or no credentials after "Basic"
  | 'bad_base64' // not (strict) base64
  | 'not_utf8' // decodes to bytes that are not UTF-8 (the password is sent as UTF-8)
  | 'no_colon' // no user-id/password separator
  | 'user_mismatch' // user-id is not the identity of the URL (TC_A_02_CSMS)
  | 'too_long'; // longer than any valid header can be

export type BasicAuthResult =
  | { readonly ok: true; readonly username: string; readonly password: string }
  | { readonly ok: false; readonly reason: BasicAuthFailure; readonly message: string };

// 48-character identity + ':' + 40-character password, UTF-8, base64: well under this. Bigger
// headers are refused before decoding; a non-compliant charger with a longer password still fits.
const MAX_BASIC_CREDENTIALS_LENGTH = 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Parse an `Authorization: Basic` header. With `expectedUser`, a user-id other than it is a
 * failure (the user-id must be the station identity of the URL). Never throws; failure messages
 * never contain the credentials.
 */
export function parseBasicAuthorization(header: string | string[] | undefined, expectedUser?: string): BasicAuthResult {
  if (header === undefined || header === '') return basicFailure('missing', 'no Authorization header');
  if (Array.isArray(header) || typeof header !== 'string') return basicFailure('not_basic', 'more than one Authorization header');
  if (header.length > MAX_BASIC_CREDENTIALS_LENGTH + 32) return basicFailure('too_long', 'Authorization header is too long');
  const match = /^[ \t]*([A-Za-z]+)(?:[ \t]+([^ \t]*))?[ \t]*$/.exec(header);
  // The auth scheme is case-insensitive (RFC 7235 §2.1).
  if (!match || match[1]!.toLowerCase() !== 'basic' || !match[2]) {
    return basicFailure('not_basic', 'Authorization header is not Basic credentials');
  }
  const token = match[2];
  if (!BASE64.test(token)) return basicFailure('bad_base64', 'Basic credentials are not valid base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(token, 'base64'));
  } catch {
    return basicFailure('not_utf8', 'Basic credentials are not UTF-8');
  }
  // RFC 7617 §2: the user-id cannot contain a colon, the password may; split at the first one.
  const colon = decoded.indexOf(':');
  if (colon === -1) return basicFailure('no_colon', 'Basic credentials have no user-id/password separator');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (expectedUser !== undefined && username !== expectedUser) {
    return basicFailure('user_mismatch', 'Basic user-id is not the station identity of the URL');
  }
  return { ok: true, username, password };
}

function basicFailure(reason: BasicAuthFailure, message: string): BasicAuthResult {
  return { ok: false, reason, message };
}

// ---------------------------------------------------------------------------------------------
// The verified-credentials cache

export interface CredentialVerifierOptions {
  /** Most credentials remembered; the least recently used is evicted first. Default 100,000. 0 disables the cache. */
  maxEntries?: number;
  /** How long a verified credential is remembered, in milliseconds. Default 0: until evicted or invalidated. */
  ttlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
  /** The full verification, for tests. Default `verifyPassword`. */
  verify?: (password: string, stored: string) => Promise<boolean>;
}

export interface CredentialVerifierStats {
  /** Verifications answered from the cache. */
  readonly hits: number;
  /** Verifications that ran the KDF (or joined one already running for the same credentials). */
  readonly misses: number;
  /** Entries currently remembered. */
  readonly size: number;
}

interface CacheEntry {
  readonly storedHash: Buffer;
  readonly mac: Buffer;
  readonly expiresAt: number;
}

/**
 * Verifies station passwords, remembering the ones recently verified so that a station that
 * reconnects (and a reconnect storm of thousands) costs an HMAC instead of a KDF run.
 *
 * Why a hit never accepts a wrong password: an entry is keyed by identity and holds an
 * HMAC-SHA256, under a key drawn at random for this process and never exported, of the stored
 * hash and the password that verified. A hit needs the presented password's HMAC to equal it
 * (compared with timingSafeEqual) and the station's current stored hash to equal the one that
 * verified; anything else runs the full verification. Only successes are remembered. Changing
 * a station's password changes its stored hash, which misses by itself; `invalidate` also drops
 * the entry at once (station removed, password rotated). The cache holds no password and no
 * key that helps an attacker: the HMAC key dies with the process.
 */
export class CredentialVerifier {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly macKey = randomBytes(32);
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly fullVerify: (password: string, stored: string) => Promise<boolean>;
  private hits = 0;
  private misses = 0;

  constructor(options: CredentialVerifierOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    const ttlMs = options.ttlMs ?? 0;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new ConfigError('credentialCache.maxEntries', maxEntries, 'an integer ≥ 0');
    if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new ConfigError('credentialCache.ttlMs', ttlMs, 'a number of milliseconds ≥ 0');
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
    this.now = options.now ?? Date.now;
    this.fullVerify = options.verify ?? verifyPassword;
  }

  /**
   * Verify `password` for `identity` against its current stored hash. Resolves true or false;
   * rejects with `ConfigError` only when the stored hash is malformed.
   */
  async verify(identity: string, password: string, storedHash: string): Promise<boolean> {
    if (typeof password !== 'string' || typeof storedHash !== 'string') return false;
    const stored = Buffer.from(storedHash, 'utf8');
    const mac = this.macOf(stored, password);
    const entry = this.entries.get(identity);
    if (entry && this.matches(entry, stored, mac)) {
      // Refresh recency: Map iteration order is insertion order, so re-inserting makes it newest.
      this.entries.delete(identity);
      this.entries.set(identity, entry);
      this.hits++;
      return true;
    }
    if (entry && entry.expiresAt <= this.now()) this.entries.delete(identity);
    this.misses++;

    // Concurrent attempts with the same credentials (a station retrying during a storm) share one KDF run.
    const flightKey = `${identity}\u0000${mac.toString('base64')}`;
    const running = this.inFlight.get(flightKey);
    if (running) return running;
    const verification = this.fullVerify(password, storedHash).then((ok) => {
      if (ok) this.remember(identity, stored, mac);
      return ok;
    });
    this.inFlight.set(flightKey, verification);
    try {
      return await verification;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  /**
   * True when these credentials are the ones remembered for `identity` (an HMAC, no KDF): what the
   * failed-authentication throttle (auth-throttle.ts) lets through at once. Changes nothing.
   */
  remembers(identity: string, password: string, storedHash: string): boolean {
    if (typeof password !== 'string' || typeof storedHash !== 'string') return false;
    const entry = this.entries.get(identity);
    if (!entry) return false;
    const stored = Buffer.from(storedHash, 'utf8');
    return this.matches(entry, stored, this.macOf(stored, password));
  }

  /** Forget what was verified for a station (removed, or its password changed). */
  invalidate(identity: string): void {
    this.entries.delete(identity);
  }

  /** Forget everything. */
  clear(): void {
    this.entries.clear();
  }

  get stats(): CredentialVerifierStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }

  private matches(entry: CacheEntry, stored: Buffer, mac: Buffer): boolean {
    if (entry.expiresAt <= this.now()) return false;
    const sameHash = entry.storedHash.length === stored.length && timingSafeEqual(entry.storedHash, stored);
    const sameMac = timingSafeEqual(entry.mac, mac);
    return sameHash && sameMac;
  }

  private remember(identity: string, storedHash: Buffer, mac: Buffer): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(identity);
    this.entries.set(identity, { storedHash, mac, expiresAt: this.ttlMs > 0 ? this.now() + this.ttlMs : Infinity });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private macOf(storedHash: Buffer, password: string): Buffer {
    // Length-prefix the stored hash so (hash, password) pairs cannot be shifted into one another.
    const length = Buffer.alloc(4);
    length.writeUInt32BE(storedHash.length);
    return createHmac('sha256', this.macKey).update(length).update(storedHash).update(password, 'utf8').digest();
  }
}
