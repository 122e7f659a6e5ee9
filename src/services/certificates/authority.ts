/**
 * The CSMS's certificate authority (OCPP 2.0.1 A02–A03): the key and certificate that sign the
 * ChargingStationCertificates stations ask for with SignCertificate.
 *
 * Either the operator's (`certificates.ca`: a PEM key, RSA or EC, and its certificate, possibly
 * followed by its own issuers), checked at start (the key must be the certificate's, the
 * certificate a CA still valid), or the embedded default: an ECDSA P-256 CA generated the first
 * time it is needed and kept in the store (`certificate_authorities`, row `embedded`), so every
 * restart, and every node sharing the database, signs with the same one. Its private key lives
 * in the store as PKCS #8 PEM: whoever reads the database can sign station certificates, which
 * is why an operator with a real PKI configures `ca` instead.
 *
 * Nothing here logs a private key or a passphrase.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ConfigError } from '../../errors';
import { loggerFor } from '../../log';
import type { Store } from '../../store';
import type { CertificatesConfig } from './config';
import { CRYPTO } from './csr';
import { escapeRdn, issueLeaf, loadCaFiles, newSerial, subtle, type SigningKey } from './signing-key';
import { readStoredCa, storeGeneratedCa } from './stored-ca';

const log = loggerFor('certificates');

const EMBEDDED_ID = 'embedded';
/** The embedded CA's life: long, as a root's is; a station certificate it signs lives `validityDays`. */
const EMBEDDED_CA_YEARS = 20;

/** One certificate the CA issued. */
export interface IssuedCertificate {
  readonly serial: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The issued certificate, PEM. */
  readonly certificate: string;
  /** The issued certificate followed by the CA's chain, PEM: CertificateSignedRequest.certificateChain. */
  readonly chain: string;
}

export class CertificateAuthority {
  private constructor(
    /** The CA's own certificate (the issuer of what it signs). */
    readonly certificate: x509.X509Certificate,
    /** The CA's certificate and the issuers the operator listed after it. */
    readonly chain: readonly x509.X509Certificate[],
    /** The CA's key (non-extractable): what it signs with, and the V2G signer signs its embedded sub-CA with. */
    readonly signing: SigningKey,
    /** `config` (the operator's files) or `embedded` (kept in the store). */
    readonly origin: 'config' | 'embedded',
  ) {}

  /** The CA's certificate chain as PEM (what a station's trust store needs: its last entry). */
  get chainPem(): string {
    return this.chain.map((c) => c.toString('pem')).join('\n');
  }

  /** The operator's CA from its files; a ConfigError naming the field when they are not a usable CA. */
  static async fromFiles(ca: NonNullable<CertificatesConfig['ca']>): Promise<CertificateAuthority> {
    const { certificate, chain, signing } = await loadCaFiles(ca, 'certificates.ca', 'CA');
    const authority = new CertificateAuthority(certificate, chain, signing, 'config');
    log.info('certificate authority loaded', { subject: certificate.subject, notAfter: certificate.notAfter.toISOString(), file: ca.certFile });
    return authority;
  }

  /** The embedded CA: the one in the store, or a new one generated and stored (first start). */
  static async embedded(store: Store, commonName: string): Promise<CertificateAuthority> {
    const stored = await CertificateAuthority.readEmbedded(store);
    if (stored) return stored;
    const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const now = Date.now();
    const name = `CN=${escapeRdn(commonName)}`;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: newSerial(),
        name,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + EMBEDDED_CA_YEARS * 365.25 * 86_400_000),
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, CRYPTO),
        ],
      },
      CRYPTO,
    );
    // Another node (or a concurrent start) may have stored one first: keep the stored one.
    await storeGeneratedCa(store, EMBEDDED_ID, certificate, keys.privateKey, new Date(now));
    const kept = await CertificateAuthority.readEmbedded(store);
    if (!kept) throw new ConfigError('certificates', undefined, 'a store that keeps the generated certificate authority');
    log.warn('certificate authority generated and stored (no certificates.ca configured): stations must trust its certificate', {
      subject: kept.certificate.subject,
      notAfter: kept.certificate.notAfter.toISOString(),
    });
    return kept;
  }

  private static async readEmbedded(store: Store): Promise<CertificateAuthority | undefined> {
    const stored = await readStoredCa(store, EMBEDDED_ID, 'certificates.ca.keyFile');
    return stored && new CertificateAuthority(stored.certificate, [stored.certificate], stored.signing, 'embedded');
  }

  /** Sign a checked CSR for `validityDays` (A02): the station's subject and key, the CA as issuer. */
  async issue(request: x509.Pkcs10CertificateRequest, keyType: 'rsa' | 'ec', validityDays: number): Promise<IssuedCertificate> {
    const usage = x509.KeyUsageFlags.digitalSignature | (keyType === 'ec' ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment);
    // The station certificate authenticates the station as a TLS client (security profile 3).
    return issueLeaf(this, request, validityDays, usage, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false)]);
  }
}
