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
 */
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { ConfigError, describeCause } from '../errors';

/**
 * Whether the listener asks stations for a client certificate.
 * - `none`: never (profile 2 only).
 * - `optional`: asks; a station may connect without one (profiles 2 and 3 on one port).
 * - `required`: asks and refuses the TLS handshake without a certificate trusted by `caFile` (profile 3 only).
 */
export type ClientCertificateMode = 'none' | 'optional' | 'required';

export interface TlsConfig {
  /** PEM file with the server's private key. Required. */
  keyFile: string;
  /** PEM file with the server certificate (and its intermediates). Required. */
  certFile: string;
  /** PEM file with the CA certificate(s) that sign station certificates. Required unless `clientCertificates` is `none`. */
  caFile?: string;
  /** Passphrase of an encrypted `keyFile`. Default none. */
  passphrase?: string;
  /** Default `optional` when `caFile` is given, else `none`. */
  clientCertificates?: ClientCertificateMode;
}

/** The oldest TLS version accepted. Not configurable: OCPP 2.0.1 forbids anything older. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/**
 * Build `https.createServer` options from the configuration, reading the PEM files now.
 * Throws `ConfigError` naming the field (`<fieldPrefix>.keyFile` etc.) when a file is missing,
 * unreadable, not PEM, or unusable (a key that does not match the certificate, a wrong passphrase).
 */
export function buildTlsServerOptions(config: TlsConfig, fieldPrefix = 'tls'): ServerOptions {
  const field = (name: string) => (fieldPrefix ? `${fieldPrefix}.${name}` : name);
  const mode = config.clientCertificates ?? (config.caFile !== undefined ? 'optional' : 'none');
  if (!['none', 'optional', 'required'].includes(mode)) {
    throw new ConfigError(field('clientCertificates'), mode, "one of 'none', 'optional', 'required'");
  }
  if (mode !== 'none' && config.caFile === undefined) {
    throw new ConfigError(field('caFile'), undefined, `a CA file is required when clientCertificates is '${mode}'`);
  }

  const cert = readPem(config.certFile, field('certFile'), 'CERTIFICATE');
  const key = readPem(config.keyFile, field('keyFile'), 'PRIVATE KEY');
  const ca = config.caFile !== undefined ? readPem(config.caFile, field('caFile'), 'CERTIFICATE') : undefined;

  // Let OpenSSL check the material now, so a broken deployment fails at start with the field named,
  // not at the first station's handshake.
  tryContext(field('certFile'), () => createSecureContext({ cert }));
  tryContext(config.passphrase !== undefined ? `${field('keyFile')} / ${field('passphrase')}` : field('keyFile'), () =>
    createSecureContext({ cert, key, passphrase: config.passphrase }),
  );
  if (ca !== undefined) tryContext(field('caFile'), () => createSecureContext({ ca }));

  const options: ServerOptions = {
    key,
    cert,
    minVersion: MIN_TLS_VERSION,
    requestCert: mode !== 'none',
    rejectUnauthorized: mode === 'required',
  };
  if (config.passphrase !== undefined) options.passphrase = config.passphrase;
  if (ca !== undefined) options.ca = ca;
  return options;
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
