/**
 * A throwaway PKI for TLS tests, generated at test time: a CA, a server certificate for
 * 127.0.0.1 / localhost, client certificates with a chosen CN signed by that CA, and a second,
 * untrusted CA with its own client certificate.
 *
 * RSA-2048 keys come from node:crypto (native, tens of milliseconds; forge's pure-JS key
 * generation takes seconds); node-forge only builds and signs the X.509 structures. Everything
 * is memoised per test process, and `writePkiFiles` puts the PEMs in a temporary directory for
 * code that reads files (src/server/tls.ts).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface Issued {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
}

export interface Authority extends Issued {
  readonly name: string;
  /** Issue a client certificate with subject CN `commonName`, signed by this CA. */
  issueClient(commonName: string, options?: { validDays?: number; notBefore?: Date }): Issued;
}

export interface TestPki {
  /** The CA the server trusts for station certificates. */
  readonly ca: Authority;
  /** Server certificate for localhost and 127.0.0.1, signed by `ca`. */
  readonly server: Issued;
  /** A CA the server does not trust. */
  readonly untrustedCa: Authority;
  /** A client certificate signed by `untrustedCa`. */
  readonly untrustedClient: (commonName: string) => Issued;
}

function newKeyPair(): { privatePem: string; forgePublic: forge.pki.rsa.PublicKey; forgePrivate: forge.pki.rsa.PrivateKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privatePem: privateKey,
    forgePublic: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
  };
}

function serial(): string {
  // Positive, 16 bytes: the high bit cleared so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, validDays: number, notBefore?: Date): void {
  const start = notBefore ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = start;
  cert.validity.notAfter = new Date(start.getTime() + validDays * 86_400_000);
}

interface SigningAuthority extends Authority {
  issueServer(commonName: string): Issued;
}

function createAuthority(name: string): SigningAuthority {
  const keys = newKeyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = keys.forgePublic;
  caCert.serialNumber = serial();
  validity(caCert, 30);
  const subject = [{ name: 'commonName', value: name }, { name: 'organizationName', value: 'ocpp-csms-core tests' }];
  caCert.setSubject(subject);
  caCert.setIssuer(subject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(keys.forgePrivate, forge.md.sha256.create());

  const issue = (
    commonName: string,
    extensions: object[],
    validDays: number,
    notBefore?: Date,
  ): Issued => {
    const leafKeys = newKeyPair();
    const leaf = forge.pki.createCertificate();
    leaf.publicKey = leafKeys.forgePublic;
    leaf.serialNumber = serial();
    validity(leaf, validDays, notBefore);
    leaf.setSubject([{ name: 'commonName', value: commonName }]);
    leaf.setIssuer(caCert.subject.attributes);
    leaf.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
      ...extensions,
    ]);
    leaf.sign(keys.forgePrivate, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(leaf), key: leafKeys.privatePem };
  };

  return {
    name,
    cert: forge.pki.certificateToPem(caCert),
    key: keys.privatePem,
    issueClient: (commonName, options = {}) =>
      issue(commonName, [{ name: 'extKeyUsage', clientAuth: true }], options.validDays ?? 30, options.notBefore),
    issueServer: (commonName) => issue(commonName, serverExtensions(), 30),
  };
}

function serverExtensions(): object[] {
  return [
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ];
}

let cached: TestPki | undefined;

/** The PKI of this test process, generated on first use. */
export function testPki(): TestPki {
  if (cached) return cached;
  const ca = createAuthority('OCPP Test Station CA');
  const untrustedCa = createAuthority('Untrusted Test CA');
  cached = {
    ca,
    server: ca.issueServer('localhost'),
    untrustedCa,
    untrustedClient: (commonName) => untrustedCa.issueClient(commonName),
  };
  return cached;
}

export interface PkiFiles {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Remove the directory. */
  cleanup(): void;
}

/** Write the CA, server certificate and server key as PEM files in a fresh temporary directory. */
export function writePkiFiles(pki: TestPki = testPki()): PkiFiles {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-pki-'));
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  writeFileSync(caFile, pki.ca.cert);
  writeFileSync(certFile, pki.server.cert);
  writeFileSync(keyFile, pki.server.key, { mode: 0o600 });
  return { dir, caFile, certFile, keyFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
