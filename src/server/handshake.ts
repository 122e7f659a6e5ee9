/**
 * The HTTP-upgrade decision for one request: accept (with the station identity and the
 * subprotocol to answer) or refuse (with the HTTP status, headers and a reason for the log).
 *
 * Pure with respect to the network: the listener hands in the request target and headers, what
 * the TLS layer established, and a station lookup; it writes the answer. Nothing is opened or
 * closed here, nothing is logged here, and the decision never throws: a failing lookup or a
 * corrupt stored hash becomes a 5xx refusal.
 *
 * Checks, cheapest first:
 * 1. identity from the URL (Part 4 §3.1.1) → 400 malformed, 404 not our endpoint path;
 * 2. subprotocol `ocpp2.0.1` offered (Part 4 §3.1.2) → 400 otherwise, see `selectSubprotocol`;
 * 3. the station is known (Part 4 §3.2: 404 for an identity the CSMS does not recognise);
 * 4. security profile (DESIGN.md §4): what the connection proves —
 *      plain ws + Basic auth             → profile 1
 *      TLS + Basic auth                  → profile 2
 *      TLS + trusted client certificate
 *            whose subject CN = identity → profile 3 (no password needed)
 *    must be at least the station's registered profile; a higher one is accepted (a station
 *    moving up, use case A05, connects with its new profile before the CSMS record changes).
 *    A downgrade is refused with 403: no credentials would make it acceptable, so no challenge.
 * 5. Basic auth (RFC 7617; TC_A_01_CSMS .. TC_A_03_CSMS): user-id = identity, password verified
 *    against the stored hash → 401 with a `WWW-Authenticate: Basic` challenge when missing or wrong.
 */
import { verifyPassword, parseBasicAuthorization } from './credentials';
import { parseStationIdentity, type IdentityOptions, type IdentityRefusalReason } from './identity';
import type { ClientCertificate } from './tls';

/** The WebSocket subprotocol of OCPP 2.0.1J (Part 4 §3.1.2, Table 1). */
export const OCPP_SUBPROTOCOL = 'ocpp2.0.1';

/** A registered station's profile is 1–3; 0 is what an unauthenticated connection proves. */
export type SecurityProfile = 1 | 2 | 3;
export type ProvedProfile = 0 | SecurityProfile;

/** What the registry knows about a station's credentials. */
export interface StationCredentials {
  readonly securityProfile: SecurityProfile;
  /** Stored hash (src/server/credentials.ts `hashPassword`); required for profiles 1 and 2. */
  readonly passwordHash?: string;
}

/** Look a station up by identity; undefined when it is not registered. May be async (a database). */
export type StationLookup = (
  identity: string,
) => StationCredentials | undefined | Promise<StationCredentials | undefined>;

/** Verifies a password; `CredentialVerifier` (with its cache) fits. */
export interface PasswordVerifier {
  verify(identity: string, password: string, storedHash: string): Promise<boolean>;
}

/** What the listener's transport established before the upgrade request arrived. */
export type ListenerTransport =
  | { readonly kind: 'ws' }
  | { readonly kind: 'tls'; readonly clientCertificate?: ClientCertificate };

/** The parts of an `http.IncomingMessage` the decision reads. */
export interface UpgradeRequest {
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HandshakeOptions extends IdentityOptions {
  /**
   * Accept identities the lookup does not know (development, or registration on first contact).
   * Such a station is accepted without credentials, but a client certificate it presents must
   * still be trusted and name it. Default false.
   */
  allowUnknownStations?: boolean;
  /**
   * Status for an unknown identity. Default 404, as Part 4 §3.2 recommends; 401 hides which
   * identities exist from a client that has not authenticated.
   */
  unknownStationStatus?: 401 | 404;
  /** Realm of the Basic challenge. Default `OCPP`. */
  realm?: string;
  /** Subprotocols this CSMS speaks, best first. Default `['ocpp2.0.1']`. */
  subprotocols?: readonly string[];
  /** Password verification. Default: `verifyPassword`, uncached. Pass a `CredentialVerifier` to cache. */
  verifier?: PasswordVerifier;
}

export type HandshakeRefusalReason =
  | IdentityRefusalReason
  | 'no_subprotocol' // none of the supported subprotocols was offered
  | 'unknown_station' // the lookup does not know the identity
  | 'lookup_failed' // the lookup threw or rejected
  | 'station_failed' // registered, but its subtree gave up (the listener refuses it 503)
  | 'tls_required' // profile 2 or 3 station on the plain ws listener
  | 'certificate_required' // profile 3 station without a client certificate
  | 'certificate_untrusted' // a client certificate the TLS layer did not verify against the CA
  | 'certificate_identity_mismatch' // trusted certificate, subject CN is not the identity
  | 'password_not_configured' // profile 1/2 station registered without a password hash
  | 'credentials_missing' // no Authorization header
  | 'credentials_malformed' // not Basic, bad base64, not UTF-8, no colon
  | 'user_mismatch' // Basic user-id is not the identity (TC_A_02_CSMS)
  | 'wrong_password' // TC_A_03_CSMS
  | 'credential_store_error'; // the stored hash is corrupt

export interface HandshakeAccept {
  readonly kind: 'accept';
  readonly identity: string;
  /** The subprotocol to answer in `Sec-WebSocket-Protocol`. */
  readonly subprotocol: string;
  /**
   * The profile this connection proved (at least the registered one for a known station);
   * 0 when it proved nothing (an unknown station under `allowUnknownStations`, no certificate).
   */
  readonly securityProfile: ProvedProfile;
  /** How the station authenticated; `none` only for an unknown station under `allowUnknownStations`. */
  readonly authentication: 'password' | 'certificate' | 'none';
  /** False when accepted under `allowUnknownStations`. */
  readonly registered: boolean;
}

export interface HandshakeRefuse {
  readonly kind: 'refuse';
  readonly status: 400 | 401 | 403 | 404 | 500 | 503;
  /** Headers to send with the status (a Basic challenge with 401). */
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: HandshakeRefusalReason;
  /** For the log: bounded, never containing credentials. */
  readonly message: string;
  /** The identity, when the URL yielded a valid one. */
  readonly identity?: string;
}

export type HandshakeDecision = HandshakeAccept | HandshakeRefuse;

const defaultVerifier: PasswordVerifier = { verify: (_identity, password, stored) => verifyPassword(password, stored) };

/**
 * The subprotocol to select: the first one the station offers (its order is its preference,
 * Part 4 §3.1.3) that the CSMS supports; undefined when there is none.
 */
export function selectSubprotocol(
  offered: string | string[] | undefined,
  supported: readonly string[] = [OCPP_SUBPROTOCOL],
): string | undefined {
  if (offered === undefined) return undefined;
  const tokens = (Array.isArray(offered) ? offered.join(',') : offered)
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  return tokens.find((token) => supported.includes(token));
}

/** Decide the upgrade of one request. Never throws. */
export async function decideHandshake(
  request: UpgradeRequest,
  transport: ListenerTransport,
  lookup: StationLookup,
  options: HandshakeOptions = {},
): Promise<HandshakeDecision> {
  const realm = options.realm ?? 'OCPP';
  const challenge = { 'WWW-Authenticate': `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"` };

  // 1. Identity.
  const parsed = parseStationIdentity(request.url ?? '', options);
  if (!parsed.ok) return refuse(parsed.status, parsed.reason, parsed.message);
  const identity = parsed.identity;
  const refuseFor = (
    status: HandshakeRefuse['status'],
    reason: HandshakeRefusalReason,
    message: string,
    headers: Record<string, string> = {},
  ) => refuse(status, reason, message, identity, headers);

  // 2. Subprotocol. Part 4 §3.2 has a CSMS that speaks none of the offered versions complete the
  // upgrade without a Sec-WebSocket-Protocol header and close at once; §3.1.2 makes offering the
  // version a MUST for the station. A station that offers no `ocpp2.0.1` gets no OCPP session
  // either way; refusing before the upgrade tells it so in the HTTP status (400: its request
  // lacks what §3.1.2 requires) and costs us no socket, no actor and no credential check.
  const supported = options.subprotocols ?? [OCPP_SUBPROTOCOL];
  const subprotocol = selectSubprotocol(request.headers['sec-websocket-protocol'], supported);
  if (subprotocol === undefined) {
    return refuseFor(400, 'no_subprotocol', `station offered none of the supported subprotocols (${supported.join(', ')})`);
  }

  // 3. The station.
  let station: StationCredentials | undefined;
  try {
    station = await lookup(identity);
  } catch {
    return refuseFor(503, 'lookup_failed', 'station lookup failed');
  }

  // 4. Certificate and profile.
  const certificate = transport.kind === 'tls' ? transport.clientCertificate : undefined;
  if (certificate) {
    // TC_A_08_CSMS: an unknown (untrusted) certificate or one naming another station ends the connection.
    if (!certificate.authorized) {
      return refuseFor(403, 'certificate_untrusted', `client certificate not trusted (${certificate.authorizationError ?? 'unverified'})`);
    }
    if (certificate.subjectCN !== identity) {
      return refuseFor(403, 'certificate_identity_mismatch', 'client certificate subject CN is not the station identity');
    }
  }

  if (station === undefined) {
    if (!options.allowUnknownStations) {
      const status = options.unknownStationStatus ?? 404;
      return refuseFor(status, 'unknown_station', 'station identity is not registered', status === 401 ? challenge : {});
    }
    return accept(identity, subprotocol, certificate ? 3 : 0, certificate ? 'certificate' : 'none', false);
  }

  if (certificate) return accept(identity, subprotocol, 3, 'certificate', true);

  const registered = station.securityProfile;
  if (transport.kind === 'ws' && registered > 1) {
    return refuseFor(403, 'tls_required', `station is registered with security profile ${registered}; plain ws is profile 1`);
  }
  if (registered === 3) {
    return refuseFor(403, 'certificate_required', 'station is registered with security profile 3 and presented no client certificate');
  }
  const proved: SecurityProfile = transport.kind === 'tls' ? 2 : 1;

  // 5. Basic auth.
  if (station.passwordHash === undefined) {
    return refuseFor(403, 'password_not_configured', `station has security profile ${registered} but no password configured`);
  }
  const credentials = parseBasicAuthorization(request.headers['authorization'], identity);
  if (!credentials.ok) {
    const reason =
      credentials.reason === 'missing' ? 'credentials_missing' : credentials.reason === 'user_mismatch' ? 'user_mismatch' : 'credentials_malformed';
    return refuseFor(401, reason, credentials.message, challenge);
  }
  let verified: boolean;
  try {
    verified = await (options.verifier ?? defaultVerifier).verify(identity, credentials.password, station.passwordHash);
  } catch {
    return refuseFor(500, 'credential_store_error', 'stored password hash of the station is unusable');
  }
  if (!verified) return refuseFor(401, 'wrong_password', 'wrong password', challenge);
  return accept(identity, subprotocol, proved, 'password', true);
}

function accept(
  identity: string,
  subprotocol: string,
  securityProfile: ProvedProfile,
  authentication: HandshakeAccept['authentication'],
  registered: boolean,
): HandshakeAccept {
  return { kind: 'accept', identity, subprotocol, securityProfile, authentication, registered };
}

function refuse(
  status: HandshakeRefuse['status'],
  reason: HandshakeRefusalReason,
  message: string,
  identity?: string,
  headers: Record<string, string> = {},
): HandshakeRefuse {
  return identity === undefined
    ? { kind: 'refuse', status, headers, reason, message }
    : { kind: 'refuse', status, headers, reason, message, identity };
}
