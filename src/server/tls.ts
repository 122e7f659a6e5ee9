/**
 * TLS for security profiles 2 and 3: server options for `https.createServer` built from the
 * configuration, and what the handshake decision needs to know about a client certificate.
 *
 * - TLS 1.2 is the floor, always: the CSMS terminates a handshake below 1.2 (TC_A_06_CSMS,
 *   requirements A00.FR.314/A00.FR.315 as cited there).
 * - Profile 3 (TLS with client certificates) makes the TLS layer verify the station's
 *   certificate against the configured CA; whether its subject CN is the station identity is
 *   the handshake decision's job (src/server/handshake.ts), because only the upgrade request
 *   carries the identity.
 * - One listener can serve profile 2 and 3 stations together: `clientCertificates: 'optional'`
 *   asks for a certificate but lets a station without one reach the upgrade, where the decision
 *   requires a password instead and refuses an untrusted certificate (TC_A_08_CSMS).
 *   `'required'` refuses a missing or untrusted certificate in the TLS handshake itself.
 * - Several server certificates at once (`certificates`: an RSA and an ECDSA pair): OpenSSL picks
 *   per handshake the one the client's cipher suites and signature algorithms allow, so a station
 *   offering only TLS_RSA_WITH_AES_128_GCM_SHA256 and one offering only ECDHE-ECDSA suites are both
 *   served (the suites OCPP 2.0.1 requires: `OCPP_TLS_CIPHERS`).
 * - The files are reloadable while the listener runs (`TlsReloader`): new handshakes get the new
 *   context, a file that fails the start-up checks is refused and the old context stays.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { ConfigError, describeCause } from '../errors';
import { loggerFor } from '../log';

const log = loggerFor('listener');

/**
 * Whether the listener asks stations for a client certificate.
 * - `none`: never (profile 2 only).
 * - `optional`: asks; a station may connect without one (profiles 2 and 3 on one port).
 * - `required`: asks and refuses the TLS handshake without a certificate trusted by `caFile` (profile 3 only).
 */
export type ClientCertificateMode = 'none' | 'optional' | 'required';

/** One server certificate and its key. */
export interface TlsKeyPair {
  /** PEM file with the private key (RSA or EC). Required. */
  readonly keyFile: string;
  /** PEM file with the certificate (and its intermediates). Required. */
  readonly certFile: string;
  /** Passphrase of an encrypted `keyFile`. Default none. */
  readonly passphrase?: string;
}

export interface TlsConfig {
  /** PEM file with the server's private key. Required unless `certificates` is given. */
  keyFile?: string;
  /** PEM file with the server certificate (and its intermediates). Required unless `certificates` is given. */
  certFile?: string;
  /** Passphrase of an encrypted `keyFile`. Default none. */
  passphrase?: string;
  /**
   * More server certificates served at once, at most one per key type (one RSA, one ECDSA):
   * OpenSSL picks, per handshake, the one the client's cipher suites and signature algorithms
   * can use. Default none.
   */
  certificates?: readonly TlsKeyPair[];
  /** PEM file with the CA certificate(s) that sign station certificates. Required unless `clientCertificates` is `none`. */
  caFile?: string;
  /** Default `optional` when `caFile` is given, else `none`. */
  clientCertificates?: ClientCertificateMode;
  /** OpenSSL cipher list (TLS 1.3 suite names allowed). Default `OCPP_TLS_CIPHERS`. */
  ciphers?: string;
}

/** The oldest TLS version accepted. Not configurable: OCPP 2.0.1 forbids anything older. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/**
 * The cipher suites served by default. TLS 1.2: the four the OCPP 2.0.1 security profiles
 * require of a CSMS (Part 6 TC_A_01_CSMS/TC_A_02_CSMS tool validations; Part 5 C-41):
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and _256_GCM_SHA384 (served with an ECDSA certificate),
 * TLS_RSA_WITH_AES_128_GCM_SHA256 and _256_GCM_SHA384 (with an RSA certificate), plus the ECDHE-RSA
 * GCM suites, preferred over static RSA key exchange when the client offers them (forward
 * secrecy). TLS 1.3: its three standard suites. OpenSSL names.
 */
export const OCPP_TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_AES_128_GCM_SHA256',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
].join(':');

/** What a server certificate is, for logs and the admin API (`POST /api/tls/reload`). */
export interface ServerCertificateInfo {
  readonly certFile: string;
  /** `rsa`, `ec`, ... (the key's type). */
  readonly keyType: string;
  readonly subject: string;
  readonly issuer: string;
  /** Hexadecimal, upper case (as `getPeerCertificate().serialNumber`). */
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

/** Options for `https.createServer` and `server.setSecureContext`, and what they serve. */
export interface LoadedTls {
  readonly options: ServerOptions;
  readonly certificates: readonly ServerCertificateInfo[];
}

/**
 * Build `https.createServer` options from the configuration, reading the PEM files now.
 * Throws `ConfigError` naming the field (`<fieldPrefix>.keyFile` etc.) when a file is missing,
 * unreadable, not PEM, or unusable (a key that does not match the certificate, a wrong passphrase).
 */
export function buildTlsServerOptions(config: TlsConfig, fieldPrefix = 'tls'): ServerOptions {
  return loadTls(config, fieldPrefix).options;
}

/**
 * `buildTlsServerOptions` with a description of the certificates it serves. The same checks run
 * at a reload (`TlsReloader`): a file that fails them is never served.
 */
export function loadTls(config: TlsConfig, fieldPrefix = 'tls'): LoadedTls {
  const field = (name: string) => (fieldPrefix ? `${fieldPrefix}.${name}` : name);
  const mode = config.clientCertificates ?? (config.caFile !== undefined ? 'optional' : 'none');
  if (!['none', 'optional', 'required'].includes(mode)) {
    throw new ConfigError(field('clientCertificates'), mode, "one of 'none', 'optional', 'required'");
  }
  if (mode !== 'none' && config.caFile === undefined) {
    throw new ConfigError(field('caFile'), undefined, `a CA file is required when clientCertificates is '${mode}'`);
  }

  // The primary pair (`keyFile`/`certFile`) first, then `certificates[i]`, each with its fields named.
  const pairs: { pair: TlsKeyPair; at: (name: string) => string }[] = [];
  if (config.keyFile !== undefined || config.certFile !== undefined) {
    if (config.keyFile === undefined) throw new ConfigError(field('keyFile'), undefined, 'the path of a PEM file (certFile is given)');
    if (config.certFile === undefined) throw new ConfigError(field('certFile'), undefined, 'the path of a PEM file (keyFile is given)');
    pairs.push({ pair: { keyFile: config.keyFile, certFile: config.certFile, passphrase: config.passphrase }, at: field });
  }
  (config.certificates ?? []).forEach((pair, index) => pairs.push({ pair, at: (name) => field(`certificates[${index}].${name}`) }));
  if (pairs.length === 0) throw new ConfigError(field('certFile'), undefined, 'a server certificate: keyFile and certFile, or certificates');

  const loaded = pairs.map(({ pair, at }) => loadPair(pair, at));
  // OpenSSL keeps one certificate per key type: a second RSA pair would silently replace the first.
  const seen = new Map<string, string>();
  for (const [index, { info }] of loaded.entries()) {
    const earlier = seen.get(info.keyType);
    if (earlier !== undefined) {
      throw new ConfigError(pairs[index]!.at('certFile'), info.certFile, `at most one certificate per key type (${info.keyType} already given by ${earlier})`);
    }
    seen.set(info.keyType, pairs[index]!.at('certFile'));
  }

  const ca = config.caFile !== undefined ? readPem(config.caFile, field('caFile'), 'CERTIFICATE') : undefined;
  if (ca !== undefined) tryContext(field('caFile'), () => createSecureContext({ ca }));
  const ciphers = config.ciphers ?? OCPP_TLS_CIPHERS;
  tryContext(field('ciphers'), () => createSecureContext({ ciphers, minVersion: MIN_TLS_VERSION }));

  const options: ServerOptions = {
    minVersion: MIN_TLS_VERSION,
    ciphers,
    // The server's order: forward-secret ECDHE suites before static RSA key exchange.
    honorCipherOrder: true,
    requestCert: mode !== 'none',
    rejectUnauthorized: mode === 'required',
  };
  if (loaded.length === 1) {
    // One pair: plain PEM strings, as before several were possible.
    const [only] = loaded;
    options.key = only!.key;
    options.cert = only!.cert;
    if (only!.passphrase !== undefined) options.passphrase = only!.passphrase;
  } else {
    // Several: Node hands OpenSSL every pair; the handshake picks one the client can use.
    options.key = loaded.map(({ key, passphrase }) => (passphrase !== undefined ? { pem: key, passphrase } : { pem: key }));
    options.cert = loaded.map(({ cert }) => cert);
  }
  if (ca !== undefined) options.ca = ca;
  return { options, certificates: loaded.map(({ info }) => info) };
}

function loadPair(pair: TlsKeyPair, at: (name: string) => string): { key: string; cert: string; passphrase?: string; info: ServerCertificateInfo } {
  const cert = readPem(pair.certFile, at('certFile'), 'CERTIFICATE');
  const key = readPem(pair.keyFile, at('keyFile'), 'PRIVATE KEY');
  // Let OpenSSL check the material now, so a broken deployment fails at start (or a reload fails)
  // with the field named, not at the first station's handshake.
  tryContext(at('certFile'), () => createSecureContext({ cert }));
  tryContext(pair.passphrase !== undefined ? `${at('keyFile')} / ${at('passphrase')}` : at('keyFile'), () =>
    createSecureContext({ cert, key, passphrase: pair.passphrase }),
  );
  const x509 = new X509Certificate(cert);
  // OpenSSL checks a key against a certificate of its own type only: an RSA key next to an ECDSA
  // certificate would pass it and break the ECDSA handshakes. Compare the public keys ourselves.
  const publicOfKey = createPublicKey(createPrivateKey({ key, passphrase: pair.passphrase })).export({ type: 'spki', format: 'der' });
  if (!publicOfKey.equals(x509.publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new ConfigError(at('keyFile'), pair.keyFile, `the private key of ${at('certFile')} (it belongs to another certificate)`);
  }
  const keyType = x509.publicKey.asymmetricKeyType ?? 'unknown';
  const info: ServerCertificateInfo = {
    certFile: pair.certFile,
    keyType,
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    serialNumber: x509.serialNumber.toUpperCase(),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
  };
  return pair.passphrase !== undefined ? { key, cert, passphrase: pair.passphrase, info } : { key, cert, info };
}

function readPem(path: string, field: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  if (typeof path !== 'string' || path === '') throw new ConfigError(field, path, 'the path of a PEM file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(field, path, `a readable PEM file (${describeCause(err)})`);
  }
  // "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----", ...
  const marker = label === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (!marker.test(text)) throw new ConfigError(field, path, `a PEM file containing a ${label.toLowerCase()}`);
  return text;
}

function tryContext(field: string, build: () => unknown): void {
  try {
    build();
  } catch (err) {
    throw new ConfigError(field, '[PEM]', `usable TLS material (${describeCause(err)})`);
  }
}

/** What the handshake decision needs to know about the certificate a station presented. */
export interface ClientCertificate {
  /** The subject's commonName; undefined when absent or when the subject has more than one. */
  readonly subjectCN: string | undefined;
  /** True when the TLS layer verified the chain against the configured CA. */
  readonly authorized: boolean;
  /** Why it did not verify (OpenSSL's code, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`). */
  readonly authorizationError?: string;
  /** SHA-256 fingerprint, for logs. */
  readonly fingerprint256?: string;
}

/** The client certificate of a TLS socket, or undefined when the station presented none. */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return undefined;
  const cn: unknown = peer.subject?.CN;
  const certificate: ClientCertificate = {
    subjectCN: typeof cn === 'string' ? cn : undefined,
    authorized: socket.authorized,
    fingerprint256: peer.fingerprint256,
  };
  const error = socket.authorizationError;
  return error ? { ...certificate, authorizationError: typeof error === 'string' ? error : error.message } : certificate;
}

/** What a reload did for one TLS listener. */
export interface TlsReloadOutcome {
  /** The listener's field prefix in the configuration, e.g. `listeners[1].tls`. */
  readonly listener: string;
  readonly port?: number;
  /**
   * `reloaded`: new handshakes use the files as they are now; `kept`: the files failed a check and
   * the previous context stays; `serving`: no reload asked (`current()`).
   */
  readonly status: 'reloaded' | 'kept' | 'serving';
  /** Why the files were not taken (`kept`). */
  readonly reason?: string;
  /** What the listener serves after this reload (the new certificates, or the kept ones). */
  readonly certificates: readonly ServerCertificateInfo[];
}

/** What a listener's reloadable TLS server looks like to the reloader (`tls.Server` and `https.Server` fit). */
export interface SecureContextTarget {
  setSecureContext(options: ServerOptions): void;
  address(): unknown;
}

interface Attached {
  readonly server: SecureContextTarget;
  readonly config: TlsConfig;
  readonly field: string;
  certificates: readonly ServerCertificateInfo[];
}

/**
 * Reloads the key, certificate and CA files of running TLS listeners without a restart (issue 11):
 * on SIGHUP (src/cli/serve.ts) or `POST /api/tls/reload` (src/admin/tls-routes.ts). Each
 * listener's files are read and checked as at start (`loadTls`); files that pass become the
 * listener's context for new handshakes (`server.setSecureContext`: connections already open keep
 * theirs); files that fail leave the previous context in place, and the outcome says why.
 *
 * The listener attaches each TLS server it creates and detaches it when it closes, so a listener
 * restarted by its supervisor is reloaded too.
 */
export class TlsReloader {
  private readonly attached = new Set<Attached>();

  /** Called by the listener for each TLS server; returns the detach function. */
  attach(server: SecureContextTarget, config: TlsConfig, field: string, certificates: readonly ServerCertificateInfo[]): () => void {
    const entry: Attached = { server, config, field, certificates };
    this.attached.add(entry);
    return () => this.attached.delete(entry);
  }

  /** TLS listeners attached now. */
  get size(): number {
    return this.attached.size;
  }

  /** What each attached listener serves now. */
  current(): TlsReloadOutcome[] {
    return [...this.attached].map((entry) => ({ listener: entry.field, port: portOf(entry.server), status: 'serving', certificates: entry.certificates }));
  }

  /** Reload every attached listener from its files; never throws. */
  reload(): TlsReloadOutcome[] {
    const outcomes: TlsReloadOutcome[] = [];
    for (const entry of this.attached) {
      const port = portOf(entry.server);
      try {
        const loaded = loadTls(entry.config, entry.field);
        entry.server.setSecureContext(loaded.options);
        entry.certificates = loaded.certificates;
        log.info('TLS certificates reloaded', { listener: entry.field, port, serials: loaded.certificates.map((c) => c.serialNumber) });
        outcomes.push({ listener: entry.field, port, status: 'reloaded', certificates: loaded.certificates });
      } catch (error) {
        const reason = describeCause(error);
        log.error('TLS reload refused; the listener keeps its previous certificates', { listener: entry.field, port, reason });
        outcomes.push({ listener: entry.field, port, status: 'kept', reason, certificates: entry.certificates });
      }
    }
    return outcomes;
  }
}

function portOf(server: SecureContextTarget): number | undefined {
  const address = server.address();
  return address !== null && typeof address === 'object' && 'port' in address ? (address as { port: number }).port : undefined;
}
