/**
 * The station identity from the HTTP upgrade request target.
 *
 * OCPP-J Part 4 §3.1.1: a station's connection URL is the CSMS endpoint URL with `/` and the
 * percent-encoded station identity appended. The identity is an identifierString (the character
 * set of OCPP 2.0.1 Part 2 primitive datatypes: `a-z A-Z 0-9 * - _ = + | @ .`), at most 48
 * characters, and never contains `:` because it doubles as the Basic-auth user-id (RFC 7617
 * forbids a colon there). Part 4's own example identity "RDAM 123" contains a space, which
 * identifierString does not allow: accepting it is an operator option, off by default.
 *
 * Parsing is total: whatever the request target (malformed percent-encoding, megabyte paths,
 * absolute-form targets), the result is a value, never an exception. The listener answers a
 * refusal with its HTTP status before any WebSocket exists (DESIGN.md §4).
 */

/** Part 4 §3.1.1: "The maximum length of the Charging Station identity is: 48". */
export const MAX_IDENTITY_LENGTH = 48;

/** The endpoint path the identity is appended to when the operator configures none. */
export const DEFAULT_PATH_PREFIX = '/ocpp';

export interface IdentityOptions {
  /**
   * Path of the OCPP-J endpoint URL; the identity is the one segment after it.
   * Default `/ocpp`. An empty string (or `/`) puts the identity directly under the root: `/<identity>`.
   * A trailing `/` is ignored and a missing leading `/` is added.
   */
  pathPrefix?: string;
  /**
   * Accept a space in the identity (Part 4 §3.1.1 example "RDAM 123", sent as `%20`).
   * Default false: identifierString has no space.
   */
  allowSpaceInIdentity?: boolean;
}

/** Why an identity was refused; a stable code for logs and tests. */
export type IdentityRefusalReason =
  | 'path_mismatch' // the path is not `<prefix>/<one segment>`: not our endpoint
  | 'missing_identity' // `<prefix>/` with an empty segment
  | 'bad_percent_encoding' // `%` not followed by two hex digits, or not UTF-8 once decoded
  | 'too_long' // more than 48 characters once decoded
  | 'colon' // `:` is the Basic-auth separator, never part of an identity
  | 'space_not_allowed' // a space, and the operator did not allow it
  | 'invalid_character'; // outside identifierString

export type IdentityResult =
  | { readonly ok: true; readonly identity: string }
  | {
      readonly ok: false;
      /** 404: not an OCPP endpoint path (Part 4 §3.2 answers unknown targets with 404); 400: a malformed identity. */
      readonly status: 400 | 404;
      readonly reason: IdentityRefusalReason;
      /** Human-readable, bounded in length, safe to log. */
      readonly message: string;
    };

// identifierString (Part 2 primitive datatypes), with and without the optional space.
const IDENTIFIER_STRING = /^[A-Za-z0-9*\-_=+|@.]+$/;
const IDENTIFIER_STRING_WITH_SPACE = /^[A-Za-z0-9*\-_=+|@. ]+$/;
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

// One decoded UTF-16 unit takes at most 9 encoded characters (a 3-byte UTF-8 sequence as
// `%XX%XX%XX`), so a raw segment longer than 48 × 12 cannot decode to 48 characters whatever it
// holds. Checked before decoding, so a huge path costs no decoding work.
const MAX_RAW_SEGMENT_LENGTH = MAX_IDENTITY_LENGTH * 12;

/** The prefix in its canonical form: `''` or `/a/b` (leading slash, no trailing slash). */
export function normalizePathPrefix(prefix: string | undefined): string {
  const raw = prefix ?? DEFAULT_PATH_PREFIX;
  const trimmed = raw.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * Extract and check the station identity from a request target (`req.url`): origin-form
 * (`/ocpp/CS001?x=1`) or absolute-form (`ws://host/ocpp/CS001`). Query and fragment are ignored.
 * Never throws.
 */
export function parseStationIdentity(target: string, options: IdentityOptions = {}): IdentityResult {
  const prefix = normalizePathPrefix(options.pathPrefix);
  const path = pathOf(typeof target === 'string' ? target : '');

  if (!path.startsWith(prefix + '/')) {
    return refuse(404, 'path_mismatch', `path is not under the OCPP endpoint ${JSON.stringify(prefix + '/')}`);
  }
  const segment = path.slice(prefix.length + 1);
  if (segment.includes('/')) {
    return refuse(404, 'path_mismatch', 'path has more than one segment after the OCPP endpoint');
  }
  if (segment === '') return refuse(400, 'missing_identity', 'no station identity after the OCPP endpoint');
  if (segment.length > MAX_RAW_SEGMENT_LENGTH) {
    return refuse(400, 'too_long', `station identity is longer than ${MAX_IDENTITY_LENGTH} characters`);
  }

  let identity: string;
  try {
    // decodeURIComponent also rejects percent-encoded bytes that are not valid UTF-8.
    identity = decodeURIComponent(segment);
  } catch {
    return refuse(400, 'bad_percent_encoding', `station identity ${show(segment)} is not valid percent-encoding`);
  }
  return checkIdentity(identity, options);
}

/**
 * Check an already decoded identity against Part 4 §3.1.1 (length, identifierString, no colon,
 * optional space). Used by the parser, and usable by the registry when a station is added.
 */
export function checkIdentity(identity: string, options: Pick<IdentityOptions, 'allowSpaceInIdentity'> = {}): IdentityResult {
  if (identity === '') return refuse(400, 'missing_identity', 'station identity is empty');
  // Length in characters as the spec counts them; every allowed character is one UTF-16 unit.
  if (identity.length > MAX_IDENTITY_LENGTH) {
    return refuse(400, 'too_long', `station identity is longer than ${MAX_IDENTITY_LENGTH} characters (${identity.length})`);
  }
  if (identity.includes(':')) {
    return refuse(400, 'colon', `station identity ${show(identity)} contains ':', the Basic-auth separator`);
  }
  if (IDENTIFIER_STRING.test(identity)) return { ok: true, identity };
  if (identity.includes(' ') && !options.allowSpaceInIdentity && IDENTIFIER_STRING_WITH_SPACE.test(identity)) {
    return refuse(400, 'space_not_allowed', `station identity ${show(identity)} contains a space, which is not enabled`);
  }
  if (options.allowSpaceInIdentity && IDENTIFIER_STRING_WITH_SPACE.test(identity)) return { ok: true, identity };
  return refuse(400, 'invalid_character', `station identity ${show(identity)} has characters outside identifierString`);
}

function pathOf(target: string): string {
  let end = target.length;
  const query = target.indexOf('?');
  if (query !== -1) end = query;
  const fragment = target.indexOf('#');
  if (fragment !== -1 && fragment < end) end = fragment;
  const withoutQuery = target.slice(0, end);
  // Absolute-form request target (RFC 7230 §5.3.2): drop scheme and authority.
  const authority = SCHEME_AND_AUTHORITY.exec(withoutQuery);
  return authority ? withoutQuery.slice(authority[0].length) : withoutQuery;
}

function refuse(status: 400 | 404, reason: IdentityRefusalReason, message: string): IdentityResult {
  return { ok: false, status, reason, message };
}

/** Quote a (possibly hostile) value for a log message, bounded in length. */
function show(value: string): string {
  const text = JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value);
  return text;
}
