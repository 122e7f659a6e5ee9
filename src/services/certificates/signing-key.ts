/**
 * What the two signers (the CSMS's CA in authority.ts, the V2G sub-CA in v2g.ts) share: the
 * webcrypto key they sign with, loading an operator's CA from its PEM files, signing a leaf
 * certificate, new serials and DN escaping.
 */
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ConfigError, describeCause } from '../../errors';
import type { IssuedCertificate } from './authority';
import type { CaFiles } from './ca-files';
import { CRYPTO } from './csr';

/** Node's webcrypto (the same object as CRYPTO, typed by Node for key generation and import). */
export const subtle = webcrypto.subtle;

/** A private key imported for webcrypto signing, with the algorithm it signs with. */
export interface SigningKey {
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
}

/**
 * The webcrypto signing key and algorithm of a Node private key (RSA PKCS #1 v1.5 with SHA-256,
 * or ECDSA with the hash that matches the curve). `field` names the configuration entry a refusal
 * points at.
 */
export async function signingKeyOf(privateKey: KeyObject, field: string): Promise<SigningKey> {
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']), algorithm };
  }
  if (privateKey.asymmetricKeyType === 'ec') {
    const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new ConfigError(field, privateKey.asymmetricKeyDetails?.namedCurve, 'an EC key on P-256, P-384 or P-521');
    const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash } };
  }
  throw new ConfigError(field, privateKey.asymmetricKeyType, 'an RSA or EC private key');
}

/** The text of a configured PEM file; a missing or unreadable one is a ConfigError on `field`. */
export async function readPemFile(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(field, path, `a readable PEM file: ${describeCause(error)}`);
  }
}

/** A positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, unique per CA), hex. */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** An RDN value for a DN string (RFC 4514 §2.4 escapes). */
export function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** The PEM certificate blocks of a file or a chain, in order. */
export const PEM_CERTIFICATE_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A CA loaded from the operator's files: its certificate, the chain listed in the file, its signing key. */
export interface LoadedCa {
  readonly certificate: x509.X509Certificate;
  readonly chain: x509.X509Certificate[];
  readonly signing: SigningKey;
}

/**
 * An operator's CA from its files, checked to be usable: the key opens (with its passphrase), the
 * certificate file holds PEM certificates, the first one is the key's, a CA (RFC 5280 §4.2.1.9
 * basicConstraints cA) and not expired. Any failure is a ConfigError naming `${section}.keyFile` or
 * `${section}.certFile`; `role` ('CA', 'sub-CA') words the expectation.
 */
export async function loadCaFiles(ca: CaFiles, section: string, role: string): Promise<LoadedCa> {
  const keyField = `${section}.keyFile`;
  const certField = `${section}.certFile`;
  const keyText = await readPemFile(ca.keyFile, keyField);
  const certText = await readPemFile(ca.certFile, certField);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyText, format: 'pem', ...(ca.passphrase !== undefined ? { passphrase: ca.passphrase } : {}) });
  } catch (error) {
    throw new ConfigError(keyField, ca.keyFile, `a PEM private key (with its passphrase if encrypted): ${describeCause(error)}`);
  }
  let chain: x509.X509Certificate[];
  try {
    chain = (certText.match(PEM_CERTIFICATE_BLOCKS) ?? []).map((pem) => new x509.X509Certificate(pem));
    if (chain.length === 0) throw new TypeError('no certificate in the file');
  } catch (error) {
    throw new ConfigError(certField, ca.certFile, `PEM certificates, the ${role}'s first: ${describeCause(error)}`);
  }
  const certificate = chain[0]!;
  const publicDer = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  if (!Buffer.from(certificate.publicKey.rawData).equals(publicDer)) {
    throw new ConfigError(keyField, ca.keyFile, `the private key of the certificate in ${ca.certFile}`);
  }
  if (!certificate.getExtension(x509.BasicConstraintsExtension)?.ca) throw new ConfigError(certField, ca.certFile, 'a CA certificate (basicConstraints cA true)');
  if (certificate.notAfter.getTime() <= Date.now()) {
    throw new ConfigError(certField, ca.certFile, `a certificate still valid (it expired ${certificate.notAfter.toISOString()})`);
  }
  return { certificate, chain, signing: await signingKeyOf(privateKey, keyField) };
}

/** A CA that issues end-entity certificates: its certificate, the chain sent after a leaf, its key. */
export interface LeafIssuer {
  readonly certificate: x509.X509Certificate;
  /** The CA and the issuers listed after it. */
  readonly chain: readonly x509.X509Certificate[];
  readonly signing: SigningKey;
}

/**
 * Sign a checked CSR's subject and key as an end-entity certificate (RFC 5280 §4.2.1.9 cA false)
 * with `keyUsage` (critical) and `extensions` after it, valid from a minute ago (clocks differ) for
 * `validityDays`, but never past the issuer's own end: a chain must not outlive its issuer.
 */
export async function issueLeaf(
  issuer: LeafIssuer,
  request: x509.Pkcs10CertificateRequest,
  validityDays: number,
  keyUsage: x509.KeyUsageFlags,
  extensions: readonly x509.Extension[] = [],
): Promise<IssuedCertificate> {
  const now = Date.now();
  const issued = await x509.X509CertificateGenerator.create(
    {
      serialNumber: newSerial(),
      subject: request.subjectName,
      issuer: issuer.certificate.subjectName,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(Math.min(now + validityDays * 86_400_000, issuer.certificate.notAfter.getTime())),
      publicKey: request.publicKey,
      signingKey: issuer.signing.key,
      signingAlgorithm: issuer.signing.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(keyUsage, true),
        ...extensions,
        await x509.SubjectKeyIdentifierExtension.create(request.publicKey, false, CRYPTO),
        await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate.publicKey, false, CRYPTO),
      ],
    },
    CRYPTO,
  );
  const pem = issued.toString('pem');
  const chain = [pem, ...issuer.chain.map((c) => c.toString('pem'))].join('\n');
  return { serial: issued.serialNumber, subject: issued.subject, notBefore: issued.notBefore, notAfter: issued.notAfter, certificate: pem, chain: `${chain}\n` };
}
