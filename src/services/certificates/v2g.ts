/**
 * V2GCertificate signing (OCPP 2.0.1 A03 with certificateType V2GCertificate; the station's
 * ISO 15118 SECC certificate, the one it presents to EVs): the CSR is checked as a station
 * certificate's (csr.ts: parses, self-signature, CN the station identity, O the organization),
 * and its key must be EC (ISO 15118-2 uses ECDSA on secp256r1; -20 adds secp521r1), then it is
 * signed by
 *
 * - the external signer when `certificates.v2gSigner` is configured (a V2G PKI's enrolment
 *   front-end): the CSR is POSTed as JSON `{ stationId, certificateType, csr }`, and the answer
 *   is JSON `{ certificateChain }` or a PEM body, leaf first; the leaf must carry the CSR's key;
 * - otherwise the V2G sub-CA: the operator's (`certificates.v2g.ca`), or one the CSMS generates
 *   once under its own CA (ECDSA P-256) and keeps in the store (`certificate_authorities`, row
 *   `v2g-embedded:<root serial>`, so a new root gets a new sub-CA).
 *
 * The chain sent with CertificateSigned is the leaf and the sub-CA (with the issuers the
 * operator's file lists after it); the V2G root is what a station trusts (InstallCertificate
 * V2GRootCertificate), not part of the chain. Nothing here logs a private key.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { ConfigError, ExternalServiceError, describeCause } from '../../errors';
import { loggerFor } from '../../log';
import type { Store } from '../../store';
import type { CertificateAuthority, IssuedCertificate } from './authority';
import type { CertificatesConfig } from './config';
import { CRYPTO, checkCsr, type CsrCheck } from './csr';
import { DEFAULT_V2G_CONFIG, type HttpServiceConfig, type V2gConfig } from './iso15118-config';
import { postBounded } from './iso15118-http';
import { PEM_CERTIFICATE_BLOCKS, escapeRdn, issueLeaf, loadCaFiles, newSerial, subtle, type SigningKey } from './signing-key';
import { readStoredCa, storeGeneratedCa } from './stored-ca';

const log = loggerFor('v2g-certificates');

/** The embedded V2G sub-CA's life (bounded by its root's). */
const EMBEDDED_SUB_CA_YEARS = 10;

/** A sub-CA that signs V2G certificates: its certificate, the chain sent after a leaf, its key. */
export interface V2gSubCa {
  readonly certificate: x509.X509Certificate;
  /** The sub-CA and the issuers listed after it (embedded: the sub-CA alone). */
  readonly chain: readonly x509.X509Certificate[];
  readonly origin: 'config' | 'embedded';
  readonly signing: SigningKey;
}

export type V2gCsrCheck = CsrCheck;

export class V2gCertificateSigner {
  private subCaLoad?: Promise<V2gSubCa>;
  private readonly v2g: V2gConfig;
  private readonly signer?: HttpServiceConfig;

  constructor(
    private readonly store: Store,
    private readonly settings: CertificatesConfig,
    /** The CSMS's own CA (the embedded sub-CA's issuer). */
    private readonly root: () => Promise<CertificateAuthority>,
  ) {
    this.v2g = settings.v2g ?? DEFAULT_V2G_CONFIG;
    this.signer = settings.v2gSigner;
  }

  get enabled(): boolean {
    return this.v2g.enabled;
  }

  /** Where V2G CSRs are signed: `external` (v2gSigner), `config` (v2g.ca) or `embedded`. */
  get origin(): 'external' | 'config' | 'embedded' {
    return this.signer ? 'external' : this.v2g.ca ? 'config' : 'embedded';
  }

  /** Load the operator's V2G sub-CA (or generate the embedded one) at start, so a bad one fails the start. */
  async provision(): Promise<void> {
    if (this.v2g.enabled && !this.signer) await this.subCa();
  }

  /** A V2GCertificate CSR checked: the station certificate rules, and an EC key. */
  async check(stationId: string, csr: string): Promise<V2gCsrCheck> {
    const check = await checkCsr(csr, { identity: stationId, organization: this.settings.organization, minimumRsaBits: this.settings.minimumRsaBits });
    if (!check.ok) return check;
    if (check.keyType !== 'ec') return { ok: false, problem: 'unsupported_key', message: 'a V2G certificate needs an EC key (ISO 15118: ECDSA on secp256r1)' };
    return check;
  }

  /** Sign a checked request: by the external signer when configured, else by the V2G sub-CA. */
  async issue(stationId: string, request: x509.Pkcs10CertificateRequest): Promise<IssuedCertificate> {
    return this.signer ? this.issueExternally(stationId, request, this.signer) : this.issueBySubCa(request);
  }

  /** The V2G sub-CA (loaded from the configuration's files, or the embedded one, generated once). */
  subCa(): Promise<V2gSubCa> {
    if (!this.subCaLoad) {
      this.subCaLoad = this.v2g.ca ? loadSubCa(this.v2g.ca) : this.embeddedSubCa();
      // A failed load is retried on the next use rather than remembered.
      this.subCaLoad.catch(() => (this.subCaLoad = undefined));
    }
    return this.subCaLoad;
  }

  private async issueBySubCa(request: x509.Pkcs10CertificateRequest): Promise<IssuedCertificate> {
    // The SECC signs (TLS, ISO 15118-2 message signatures) and agrees keys (ECDH).
    return issueLeaf(await this.subCa(), request, this.v2g.validityDays, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement);
  }

  private async issueExternally(stationId: string, request: x509.Pkcs10CertificateRequest, signer: HttpServiceConfig): Promise<IssuedCertificate> {
    const answer = await postBounded({
      url: signer.url,
      body: JSON.stringify({ stationId, certificateType: 'V2GCertificate', csr: request.toString('pem') }),
      contentType: 'application/json',
      accept: 'application/json, application/x-pem-file',
      timeoutMs: signer.timeoutMs,
      maxBytes: 64 * 1024,
      ...(signer.authorization !== undefined ? { authorization: signer.authorization } : {}),
    });
    if (!answer.ok) throw new ExternalServiceError('V2G signer', `${answer.problem}: ${answer.message}`);
    if (answer.status < 200 || answer.status > 299) throw new ExternalServiceError('V2G signer', `it answered HTTP ${answer.status}`);
    const text = answer.body.toString('utf8');
    let chainText = text;
    if (answer.contentType.includes('json')) {
      try {
        chainText = String((JSON.parse(text) as { certificateChain?: unknown }).certificateChain ?? '');
      } catch {
        throw new ExternalServiceError('V2G signer', 'its answer is not JSON');
      }
    }
    const blocks = chainText.match(PEM_CERTIFICATE_BLOCKS) ?? [];
    let chain: x509.X509Certificate[];
    try {
      if (blocks.length === 0) throw new TypeError('no PEM certificate');
      chain = blocks.map((block) => new x509.X509Certificate(block));
    } catch (error) {
      throw new ExternalServiceError('V2G signer', `its answer is not a PEM certificate chain: ${describeCause(error)}`);
    }
    const leaf = chain[0]!;
    if (!Buffer.from(leaf.publicKey.rawData).equals(Buffer.from(request.publicKey.rawData))) {
      throw new ExternalServiceError('V2G signer', 'the certificate it returned is not for the key of the CSR');
    }
    if (leaf.notAfter.getTime() <= Date.now()) throw new ExternalServiceError('V2G signer', 'the certificate it returned has expired');
    log.info('V2G certificate signed by the external signer', { station: stationId, serial: leaf.serialNumber });
    const pems = chain.map((c) => c.toString('pem'));
    return { serial: leaf.serialNumber, subject: leaf.subject, notBefore: leaf.notBefore, notAfter: leaf.notAfter, certificate: pems[0]!, chain: `${pems.join('\n')}\n` };
  }

  private async embeddedSubCa(): Promise<V2gSubCa> {
    const root = await this.root();
    const id = `v2g-embedded:${root.certificate.serialNumber}`;
    const stored = await readStoredSubCa(this.store, id);
    if (stored) return stored;
    const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: newSerial(),
        subject: `CN=${escapeRdn(this.v2g.embeddedCaName)}`,
        issuer: root.certificate.subjectName,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(Math.min(now + EMBEDDED_SUB_CA_YEARS * 365.25 * 86_400_000, root.certificate.notAfter.getTime())),
        publicKey: keys.publicKey,
        signingKey: root.signing.key,
        signingAlgorithm: root.signing.algorithm,
        extensions: [
          // A sub-CA that signs leaves only (path length 0).
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, CRYPTO),
          await x509.AuthorityKeyIdentifierExtension.create(root.certificate.publicKey, false, CRYPTO),
        ],
      },
      CRYPTO,
    );
    // Another node (or a concurrent start) may have stored one first: keep the stored one.
    await storeGeneratedCa(this.store, id, certificate, keys.privateKey, new Date(now));
    const kept = await readStoredSubCa(this.store, id);
    if (!kept) throw new ConfigError('certificates.v2g', undefined, 'a store that keeps the generated V2G sub-CA');
    log.warn('V2G sub-CA generated under the CSMS CA and stored (no certificates.v2g.ca configured)', { subject: kept.certificate.subject, issuer: root.certificate.subject });
    return kept;
  }
}

async function readStoredSubCa(store: Store, id: string): Promise<V2gSubCa | undefined> {
  const stored = await readStoredCa(store, id, 'certificates.v2g');
  return stored && { certificate: stored.certificate, chain: [stored.certificate], origin: 'embedded', signing: stored.signing };
}

/** The operator's V2G sub-CA from its files; a ConfigError naming the field when they are not a usable CA. */
async function loadSubCa(ca: NonNullable<V2gConfig['ca']>): Promise<V2gSubCa> {
  const { certificate, chain, signing } = await loadCaFiles(ca, 'certificates.v2g.ca', 'sub-CA');
  log.info('V2G sub-CA loaded', { subject: certificate.subject, notAfter: certificate.notAfter.toISOString(), file: ca.certFile });
  return { certificate, chain, origin: 'config', signing };
}
