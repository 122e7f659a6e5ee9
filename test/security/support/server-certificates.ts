/**
 * Server certificates for the TLS listener tests, generated at test time: RSA-2048 or ECDSA P-256
 * key pairs, certificates for 127.0.0.1 / localhost signed by the test PKI's CA (test/support/pki.ts)
 * with @peculiar/x509, each with a fresh random serial, and written as PEM files.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Authority } from '../../support/pki';

x509.cryptoProvider.set(webcrypto as never);

export interface ServerPair {
  readonly cert: string;
  readonly key: string;
  /** Upper-case hexadecimal, as `getPeerCertificate().serialNumber` shows it. */
  readonly serial: string;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${base64.trim()}\n-----END ${label}-----\n`;
}

/** A server certificate (RSA or EC key) for localhost and 127.0.0.1, signed by `ca`. */
export async function issueServerPair(ca: Authority, keyType: 'rsa' | 'ec'): Promise<ServerPair> {
  const caKeyDer = Buffer.from(ca.key.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s/g, ''), 'base64');
  const caKey = await webcrypto.subtle.importKey('pkcs8', caKeyDer, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(keyType === 'rsa' ? RSA : EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serialBytes = randomBytes(12);
  serialBytes[0] = (serialBytes[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  const serialNumber = serialBytes.toString('hex');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: 'CN=localhost',
    issuer: new x509.X509Certificate(ca.cert).subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 7 * 86_400_000),
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const key = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert: certificate.toString('pem'), key, serial: serialNumber.toUpperCase() };
}

/** Write a pair as `<name>.pem` and `<name>-key.pem` in `dir`; returns the paths. */
export function writePair(dir: string, name: string, pair: Pick<ServerPair, 'cert' | 'key'>): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  writeFileSync(certFile, pair.cert);
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  return { certFile, keyFile };
}
