/**
 * OCSP for ISO 15118 contract certificates (OCPP 2.0.1 C07 Authorize with a contract certificate
 * or its hash data, M06 GetCertificateStatus), RFC 6960 over HTTP POST (Appendix A.1). The
 * structures are @peculiar/asn1-ocsp's and @peculiar/asn1-x509's; signatures are checked with
 * node:crypto. What a station or a responder sends is untrusted: every failure is a value.
 *
 * - A request is built from the hash data a station sends (hashAlgorithm, issuerNameHash,
 *   issuerKeyHash, serialNumber) or, for a PEM contract certificate, from the certificate and its
 *   issuer (the next certificate of the PEM) — or, when the PEM holds the certificate alone, a
 *   SHA-1 CertID whose key hash is the certificate's authorityKeyIdentifier (RFC 5280 §4.2.1.2
 *   method 1, what CAs use). The responder URL of a PEM comes from its Authority Information
 *   Access (RFC 5280 §4.2.2.1, id-ad-ocsp).
 * - An answer counts only when it is a successful BasicOCSPResponse about that certificate, not
 *   out of date (thisUpdate not in the future, nextUpdate not past), and signed by the issuer
 *   itself or by a delegated responder (id-kp-OCSPSigning) whose certificate the issuer signed
 *   (RFC 6960 §4.2.2.2). A signature that fails is SignatureError. When the certificates needed
 *   to tell who signed are neither in the answer nor in the PEM, a good answer is CertChainError
 *   for Authorize (the CSMS decides) but still relayed by GetCertificateStatus (the station and
 *   the EV check it, M06). An answer that does not parse counts as unknown.
 * - Good answers are cached until their nextUpdate (none: not cached, RFC 6960 §4.2.2.1);
 *   concurrent queries for one certificate share one exchange. No nonce is sent (RFC 5019 §2.1:
 *   cached answers are the point).
 * - An unreachable or slow responder is a status within `timeoutMs`, never a hang.
 */
import { createHash, createPublicKey, verify as verifySignature, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  Certificate,
  CRLReasons,
  ExtendedKeyUsage,
  id_ad_ocsp,
  id_ce_authorityKeyIdentifier,
  id_ce_extKeyUsage,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import { BasicOCSPResponse, CertID, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest, id_kp_OCSPSigning, id_pkix_ocsp_basic, type SingleResponse } from '@peculiar/asn1-ocsp';
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import type { AuthorizeCertificateStatusEnumType, HashAlgorithmEnumType, OCSPRequestDataType } from '../../../schemas/types.generated';
import { loggerFor } from '../../log';
import { DEFAULT_OCSP_CONFIG, type OcspConfig } from './iso15118-config';
import { httpUrl, postBounded } from './iso15118-http';

const log = loggerFor('ocsp');

/** Hash algorithms by OCPP name (HashAlgorithmEnumType) and OID; SHA-1 only for CertIDs made from an authorityKeyIdentifier. */
const HASHES = {
  SHA1: { oid: '1.3.14.3.2.26', node: 'sha1', bytes: 20 },
  SHA256: { oid: '2.16.840.1.101.3.4.2.1', node: 'sha256', bytes: 32 },
  SHA384: { oid: '2.16.840.1.101.3.4.2.2', node: 'sha384', bytes: 48 },
  SHA512: { oid: '2.16.840.1.101.3.4.2.3', node: 'sha512', bytes: 64 },
} as const;

/** Signature algorithms an answer may use (RSASSA-PKCS1-v1_5, ECDSA) → the digest node:crypto verifies with. */
const SIGNATURE_DIGESTS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** DER NULL: the parameters of a hash AlgorithmIdentifier, as OpenSSL writes them. */
const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;
/**
 * Largest answer kept in the cache: what GetCertificateStatus can relay (5500 base64 characters)
 * with room to spare. Real answers are 1–3 KB; the bound keeps `maxCacheEntries` answers from a
 * hostile responder (stations name the URLs) under about 80 MB.
 */
const MAX_CACHED_DER_BYTES = 8192;
/** Clock difference tolerated on thisUpdate / nextUpdate. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The CertID of one certificate, the values hex as OCPP carries them. */
export interface CertificateId {
  readonly hashAlgorithm: HashAlgorithmEnumType;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
}

/**
 * What the responder said about one certificate:
 * `good` / `revoked` / `unknown` (its answer, or an answer that does not parse or is not about
 * the certificate), `unavailable` (no answer: unreachable, timeout, HTTP error, URL refused),
 * `signatureError` (an answer whose signature or signer does not verify).
 */
export interface OcspOutcome {
  readonly status: 'good' | 'revoked' | 'unknown' | 'unavailable' | 'signatureError';
  /** Why, for logs and statusInfo. */
  readonly reason?: string;
  /** The responder's DER OCSPResponse, when it answered one that parses and is about the certificate. */
  readonly der?: Buffer;
  readonly revocationReason?: string;
  readonly nextUpdate?: Date;
  /**
   * Why the CSMS could not check who signed the answer (the signer's or the issuer's certificate
   * is neither in the answer nor in the PEM); the station may still check it (M06).
   */
  readonly unverified?: string;
  /** Served from the cache. */
  readonly cached?: boolean;
}

export interface CertificateCheck {
  readonly certificateStatus: AuthorizeCertificateStatusEnumType;
  /** Why, when not Accepted. */
  readonly reason?: string;
}

interface Query {
  readonly certId: CertID;
  readonly key: string;
  readonly url: string;
  /** Certificates that may be the issuer (from the PEM), besides those in the answer. */
  readonly known: readonly Certificate[];
}

interface CacheEntry {
  readonly outcome: OcspOutcome;
  readonly until: number;
}

export interface OcspServiceOptions {
  /** The clock (tests move it past a nextUpdate). */
  readonly now?: () => number;
}

export class OcspService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<OcspOutcome>>();
  private readonly now: () => number;
  /** Exchanges with responders since the start (cache hits excluded). */
  exchanges = 0;

  constructor(
    private readonly settings: OcspConfig = DEFAULT_OCSP_CONFIG,
    options: OcspServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * GetCertificateStatus (M06): the responder's DER answer, base64, in `ocspResult`; Failed with a
   * reason when there is none to give (unreachable, slow, unparsable, not about the certificate,
   * a signature that fails, or longer than the 5500 characters the schema allows).
   */
  async getCertificateStatus(request: RequestOf<'GetCertificateStatus'>): Promise<ResponseOf<'GetCertificateStatus'>> {
    const outcome = await this.queryHashData(request.ocspRequestData);
    if (outcome.der && outcome.status !== 'signatureError') {
      const ocspResult = outcome.der.toString('base64');
      if (ocspResult.length <= 5500) return { status: 'Accepted', ocspResult };
      return failed('TooLarge', `the responder's answer has ${ocspResult.length} base64 characters, more than 5500`);
    }
    return failed(reasonCodeOf(outcome), outcome.reason ?? outcome.status);
  }

  /**
   * The certificate status of an Authorize carrying certificate data (C07): the PEM contract
   * certificate when given, otherwise every iso15118CertificateHashData entry (the contract
   * certificate first, then its sub-CAs); the first entry that is not Accepted decides.
   */
  async checkAuthorize(request: RequestOf<'Authorize'>): Promise<CertificateCheck | undefined> {
    if (request.certificate !== undefined) return this.checkCertificate(request.certificate);
    const entries = request.iso15118CertificateHashData;
    if (!entries || entries.length === 0) return undefined;
    const outcomes = await Promise.all(entries.map((entry) => this.queryHashData(entry)));
    for (const outcome of outcomes) {
      const check = checkOf(outcome);
      if (check.certificateStatus !== 'Accepted') return check;
    }
    return { certificateStatus: 'Accepted' };
  }

  /** Authorize's answer from the token service's decision and the certificate check (`withCertificateStatus`). */
  authorizeAnswer(idTokenInfo: ResponseOf<'Authorize'>['idTokenInfo'], check: CertificateCheck | undefined): ResponseOf<'Authorize'> {
    return withCertificateStatus(idTokenInfo, check);
  }

  /** A PEM contract certificate (optionally followed by its issuer): validity, issuer signature, then OCSP. */
  async checkCertificate(pem: string): Promise<CertificateCheck> {
    const blocks = (typeof pem === 'string' ? pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) : null) ?? [];
    let chain: { readonly asn: Certificate; readonly node: NodeCertificate }[];
    try {
      if (blocks.length === 0) throw new TypeError('no PEM certificate');
      chain = blocks.map((block) => {
        const node = new NodeCertificate(block);
        return { node, asn: AsnConvert.parse(node.raw, Certificate) };
      });
    } catch {
      return { certificateStatus: 'CertChainError', reason: 'the certificate is not PEM X.509' };
    }
    const [leaf, issuer] = [chain[0]!, chain[1]];
    const now = this.now();
    if (Date.parse(leaf.node.validTo) < now) return { certificateStatus: 'CertificateExpired', reason: `the certificate expired ${new Date(leaf.node.validTo).toISOString()}` };
    if (Date.parse(leaf.node.validFrom) > now + CLOCK_SKEW_MS) return { certificateStatus: 'CertChainError', reason: 'the certificate is not valid yet' };
    if (issuer) {
      if (!leaf.node.checkIssued(issuer.node)) return { certificateStatus: 'CertChainError', reason: 'the second certificate is not the issuer of the first' };
      if (!safeVerify(() => leaf.node.verify(issuer.node.publicKey))) return { certificateStatus: 'SignatureError', reason: 'the certificate’s signature does not verify with its issuer’s key' };
    }
    const url = ocspUrlOf(leaf.asn);
    if (!url) return { certificateStatus: 'NoCertificateAvailable', reason: 'the certificate names no OCSP responder (Authority Information Access)' };
    const certId = issuer ? certIdFromIssuer(leaf.asn, issuer.asn) : certIdFromAuthorityKey(leaf.asn);
    if (!certId) return { certificateStatus: 'NoCertificateAvailable', reason: 'the certificate has no authorityKeyIdentifier and its issuer is not given' };
    return checkOf(await this.query({ certId, url, key: cacheKey(url, certId), known: issuer ? [issuer.asn] : [] }));
  }

  /** Ask the responder an entry of iso15118CertificateHashData / ocspRequestData names. */
  async queryHashData(data: OCSPRequestDataType): Promise<OcspOutcome> {
    const certId = certIdFromHashData(data);
    if (!certId) return { status: 'unknown', reason: 'the hash data is not hexadecimal of the hash algorithm’s length' };
    return this.query({ certId, url: data.responderURL, key: cacheKey(data.responderURL, certId), known: [] });
  }

  /** Drop every cached answer. */
  clearCache(): void {
    this.cache.clear();
  }

  private async query(query: Query): Promise<OcspOutcome> {
    const cached = this.cache.get(query.key);
    if (cached) {
      if (cached.until > this.now()) return { ...cached.outcome, cached: true };
      this.cache.delete(query.key);
    }
    const running = this.inFlight.get(query.key);
    if (running) return running;
    const exchange = this.exchange(query).finally(() => this.inFlight.delete(query.key));
    this.inFlight.set(query.key, exchange);
    return exchange;
  }

  private async exchange(query: Query): Promise<OcspOutcome> {
    const url = httpUrl(query.url);
    if (!url) return { status: 'unavailable', reason: 'the responder URL is not an http(s) URL' };
    const allowed = this.settings.allowedResponders;
    if (allowed && !allowed.some((prefix) => url.href.startsWith(prefix))) {
      return { status: 'unavailable', reason: 'the responder URL is not among certificates.ocsp.allowedResponders' };
    }
    const body = Buffer.from(AsnConvert.serialize(new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: query.certId })] }) })));
    this.exchanges += 1;
    const answer = await postBounded({
      url: url.href,
      body,
      contentType: 'application/ocsp-request',
      accept: 'application/ocsp-response',
      timeoutMs: this.settings.timeoutMs,
      maxBytes: this.settings.maxResponseBytes,
    });
    if (!answer.ok) {
      log.warn('OCSP responder gave no answer', { responder: url.origin, problem: answer.problem, reason: answer.message });
      return { status: 'unavailable', reason: `responder ${answer.problem === 'timeout' ? 'timed out' : answer.problem === 'too_large' ? 'answer too large' : 'unreachable'}: ${answer.message}` };
    }
    if (answer.status !== 200) return { status: 'unavailable', reason: `the responder answered HTTP ${answer.status}` };
    const outcome = this.read(answer.body, query);
    log.debug('OCSP answer', { responder: url.origin, status: outcome.status, reason: outcome.reason });
    if (outcome.der && outcome.der.length <= MAX_CACHED_DER_BYTES && outcome.nextUpdate && outcome.status !== 'signatureError' && this.settings.maxCacheEntries > 0) {
      if (this.cache.size >= this.settings.maxCacheEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(query.key, { outcome, until: outcome.nextUpdate.getTime() });
    }
    return outcome;
  }

  /** Read a responder's answer about `query.certId`. */
  private read(der: Buffer, query: Query): OcspOutcome {
    let basic: BasicOCSPResponse;
    try {
      const response = AsnConvert.parse(der, OCSPResponse);
      if (response.responseStatus !== OCSPResponseStatus.successful) {
        return { status: 'unknown', reason: `the responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}` };
      }
      if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) return { status: 'unknown', reason: 'the answer is not a basic OCSP response' };
      basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse);
    } catch {
      return { status: 'unknown', reason: 'the answer does not parse as an OCSP response' };
    }
    const single = basic.tbsResponseData.responses.find((candidate) => sameCertId(candidate.certID, query.certId));
    if (!single) return { status: 'unknown', reason: 'the answer is not about this certificate' };
    const now = this.now();
    if (single.thisUpdate.getTime() > now + CLOCK_SKEW_MS) return { status: 'unknown', reason: 'the answer’s thisUpdate is in the future' };
    if (single.nextUpdate && single.nextUpdate.getTime() < now - CLOCK_SKEW_MS) return { status: 'unknown', reason: 'the answer is out of date (nextUpdate passed)' };
    const base = { der, ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}) };
    const signer = checkSigner(basic, query);
    if (signer.kind === 'bad') return { ...base, status: 'signatureError', reason: signer.reason };
    return { ...base, ...statusOf(single), ...(signer.kind === 'unverifiable' ? { unverified: signer.reason } : {}) };
  }
}

/**
 * Authorize's answer when the request carried certificate data (C07): the token service's
 * decision stands when it is not Accepted; an Accepted token whose certificate is not becomes
 * Expired (CertificateExpired), Unknown (no status could be had: NoCertificateAvailable) or
 * Invalid (revoked, cancelled, chain or signature errors).
 */
export function withCertificateStatus(
  idTokenInfo: ResponseOf<'Authorize'>['idTokenInfo'],
  check: CertificateCheck | undefined,
): ResponseOf<'Authorize'> {
  if (!check) return { idTokenInfo };
  const { certificateStatus } = check;
  if (idTokenInfo.status !== 'Accepted' || certificateStatus === 'Accepted') return { idTokenInfo, certificateStatus };
  const status = certificateStatus === 'CertificateExpired' ? 'Expired' : certificateStatus === 'NoCertificateAvailable' ? 'Unknown' : 'Invalid';
  return { idTokenInfo: { ...idTokenInfo, status }, certificateStatus };
}

/** An OCSP outcome as Authorize's certificateStatus (C07). */
function checkOf(outcome: OcspOutcome): CertificateCheck {
  switch (outcome.status) {
    case 'good':
      // Good, but from a signer the CSMS cannot trace to the issuer: no chain to the responder.
      if (outcome.unverified !== undefined) return { certificateStatus: 'CertChainError', reason: outcome.unverified };
      return { certificateStatus: 'Accepted' };
    case 'revoked':
      // A contract the mobility operator ended (RFC 5280 §5.3.1 cessationOfOperation) is a
      // cancelled contract; any other revocation is a revoked certificate.
      return { certificateStatus: outcome.revocationReason === 'cessationOfOperation' ? 'ContractCancelled' : 'CertificateRevoked', reason: outcome.reason };
    case 'signatureError':
      return { certificateStatus: 'SignatureError', reason: outcome.reason };
    default:
      return { certificateStatus: 'NoCertificateAvailable', reason: outcome.reason ?? `OCSP status ${outcome.status}` };
  }
}

function statusOf(single: SingleResponse): Pick<OcspOutcome, 'status' | 'reason' | 'revocationReason'> {
  if (single.certStatus.good !== undefined) return { status: 'good' };
  if (single.certStatus.revoked) {
    const code = single.certStatus.revoked.revocationReason?.reason;
    const revocationReason = code !== undefined ? (CRLReasons[code] ?? String(code)) : undefined;
    return {
      status: 'revoked',
      reason: `revoked ${single.certStatus.revoked.revocationTime.toISOString()}${revocationReason ? ` (${revocationReason})` : ''}`,
      ...(revocationReason ? { revocationReason } : {}),
    };
  }
  return { status: 'unknown', reason: 'the responder does not know the certificate' };
}

type SignerCheck = { readonly kind: 'ok' } | { readonly kind: 'unverifiable' | 'bad'; readonly reason: string };

/**
 * `ok` when the answer is signed by the issuer or by a delegated responder the issuer certified
 * (RFC 6960 §4.2.2.2); `bad` when a signature fails or the signer is not entitled; `unverifiable`
 * when a certificate needed to tell is missing.
 */
function checkSigner(basic: BasicOCSPResponse, query: Query): SignerCheck {
  const candidates = [...(basic.certs ?? []), ...query.known];
  const responder = basic.tbsResponseData.responderID;
  const signer = candidates.find((cert) =>
    responder.byKey
      ? Buffer.from(responder.byKey.buffer).equals(createHash('sha1').update(publicKeyBits(cert)).digest())
      : responder.byName !== undefined && Buffer.from(AsnConvert.serialize(responder.byName)).equals(Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject))),
  );
  if (!signer) return { kind: 'unverifiable', reason: 'the responder’s certificate is neither in its answer nor known' };
  const digest = SIGNATURE_DIGESTS[basic.signatureAlgorithm.algorithm];
  if (!digest || !basic.tbsResponseDataRaw) return { kind: 'bad', reason: `the answer is signed with an unsupported algorithm (${basic.signatureAlgorithm.algorithm})` };
  const verified = safeVerify(() => verifySignature(digest, Buffer.from(basic.tbsResponseDataRaw!), keyOf(signer), Buffer.from(basic.signature)));
  if (!verified) return { kind: 'bad', reason: 'the answer’s signature does not verify' };
  if (isIssuer(signer, query.certId)) return { kind: 'ok' };
  // A delegated responder: marked for OCSP signing and issued by the certificate's issuer.
  if (!extendedKeyUsages(signer).includes(id_kp_OCSPSigning)) return { kind: 'bad', reason: 'the answer is signed by a certificate that is neither the issuer nor an OCSP responder' };
  const issuer = candidates.find((cert) => isIssuer(cert, query.certId));
  if (!issuer) return { kind: 'unverifiable', reason: 'the delegated responder’s issuer is neither in the answer nor known' };
  const delegated = new NodeCertificate(Buffer.from(AsnConvert.serialize(signer)));
  const issuerNode = new NodeCertificate(Buffer.from(AsnConvert.serialize(issuer)));
  if (!delegated.checkIssued(issuerNode) || !safeVerify(() => delegated.verify(issuerNode.publicKey))) return { kind: 'bad', reason: 'the delegated responder is not certified by the issuer' };
  return { kind: 'ok' };
}

/** Whether `cert` is the issuer a CertID names (its subject and key hash to the CertID's). */
function isIssuer(cert: Certificate, certId: CertID): boolean {
  const hash = Object.values(HASHES).find((h) => h.oid === certId.hashAlgorithm.algorithm);
  if (!hash) return false;
  const nameHash = createHash(hash.node).update(Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject))).digest();
  const keyHash = createHash(hash.node).update(publicKeyBits(cert)).digest();
  return nameHash.equals(Buffer.from(certId.issuerNameHash.buffer)) && keyHash.equals(Buffer.from(certId.issuerKeyHash.buffer));
}

function sameCertId(a: CertID, b: CertID): boolean {
  return (
    a.hashAlgorithm.algorithm === b.hashAlgorithm.algorithm &&
    Buffer.from(a.issuerNameHash.buffer).equals(Buffer.from(b.issuerNameHash.buffer)) &&
    Buffer.from(a.issuerKeyHash.buffer).equals(Buffer.from(b.issuerKeyHash.buffer)) &&
    serialHex(a.serialNumber) === serialHex(b.serialNumber)
  );
}

/** The CertID of OCPP hash data (hex text), or undefined when it is not hex of the algorithm's length. */
export function certIdFromHashData(data: Pick<OCSPRequestDataType, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash' | 'serialNumber'>): CertID | undefined {
  const hash = HASHES[data.hashAlgorithm];
  if (!hash) return undefined;
  const nameHash = hexBytes(data.issuerNameHash, hash.bytes);
  const keyHash = hexBytes(data.issuerKeyHash, hash.bytes);
  const serial = serialBytes(data.serialNumber);
  if (!nameHash || !keyHash || !serial) return undefined;
  return newCertId(hash.oid, nameHash, keyHash, serial);
}

/**
 * The hash data of a certificate issued by `issuer` (CertificateHashDataType, hex), as a station
 * computes it: hashes of the issuer's subject (DER) and of its public key's bits (RFC 6960 §4.1.1).
 */
export function certificateHashData(certificate: Certificate, issuer: Certificate, hashAlgorithm: HashAlgorithmEnumType = 'SHA256'): CertificateId {
  const node = HASHES[hashAlgorithm].node;
  return {
    hashAlgorithm,
    issuerNameHash: createHash(node).update(Buffer.from(AsnConvert.serialize(issuer.tbsCertificate.subject))).digest('hex'),
    issuerKeyHash: createHash(node).update(publicKeyBits(issuer)).digest('hex'),
    serialNumber: serialHex(certificate.tbsCertificate.serialNumber),
  };
}

function certIdFromIssuer(leaf: Certificate, issuer: Certificate): CertID {
  const id = certificateHashData(leaf, issuer);
  return certIdFromHashData(id)!;
}

/** A SHA-1 CertID from the certificate's issuer name and authorityKeyIdentifier (no issuer at hand). */
function certIdFromAuthorityKey(leaf: Certificate): CertID | undefined {
  const extension = leaf.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_authorityKeyIdentifier);
  if (!extension) return undefined;
  try {
    const keyIdentifier = AsnConvert.parse(extension.extnValue, AuthorityKeyIdentifier).keyIdentifier;
    if (!keyIdentifier || keyIdentifier.byteLength !== HASHES.SHA1.bytes) return undefined;
    const nameHash = createHash('sha1').update(Buffer.from(AsnConvert.serialize(leaf.tbsCertificate.issuer))).digest();
    return newCertId(HASHES.SHA1.oid, nameHash, Buffer.from(keyIdentifier.buffer), Buffer.from(leaf.tbsCertificate.serialNumber));
  } catch {
    return undefined;
  }
}

function newCertId(oid: string, nameHash: Uint8Array, keyHash: Uint8Array, serial: Uint8Array): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: oid, parameters: DER_NULL }),
    issuerNameHash: new OctetString(nameHash),
    issuerKeyHash: new OctetString(keyHash),
    serialNumber: toArrayBuffer(serial),
  });
}

/** The first http(s) id-ad-ocsp location of the certificate's Authority Information Access. */
export function ocspUrlOf(certificate: Certificate): string | undefined {
  const extension = certificate.tbsCertificate.extensions?.find((e) => e.extnID === id_pe_authorityInfoAccess);
  if (!extension) return undefined;
  try {
    const access = AsnConvert.parse(extension.extnValue, AuthorityInfoAccessSyntax);
    return access.find((d) => d.accessMethod === id_ad_ocsp && d.accessLocation.uniformResourceIdentifier !== undefined && httpUrl(d.accessLocation.uniformResourceIdentifier))
      ?.accessLocation.uniformResourceIdentifier;
  } catch {
    return undefined;
  }
}

function extendedKeyUsages(certificate: Certificate): string[] {
  const extension = certificate.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (!extension) return [];
  try {
    return [...AsnConvert.parse(extension.extnValue, ExtendedKeyUsage)];
  } catch {
    return [];
  }
}

/** The subjectPublicKey BIT STRING's bytes (what issuerKeyHash and a KeyHash hash). */
function publicKeyBits(certificate: Certificate): Buffer {
  return Buffer.from(certificate.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
}

function keyOf(certificate: Certificate): KeyObject {
  return createPublicKey({ key: Buffer.from(AsnConvert.serialize(certificate.tbsCertificate.subjectPublicKeyInfo)), format: 'der', type: 'spki' });
}

function safeVerify(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function hexBytes(text: string, length: number): Buffer | undefined {
  if (!/^[0-9a-fA-F]*$/.test(text) || text.length !== length * 2) return undefined;
  return Buffer.from(text, 'hex');
}

/** A serial number's DER INTEGER content from OCPP's hex text (no leading zeroes there). */
function serialBytes(text: string): Buffer | undefined {
  if (!/^[0-9a-fA-F]{1,40}$/.test(text)) return undefined;
  let bytes = Buffer.from(text.length % 2 === 1 ? `0${text}` : text, 'hex');
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1);
  // A positive INTEGER whose first bit is set gets a leading zero byte (X.690 §8.3).
  return bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** A serial number as OCPP writes it: lowercase hex without leading zeroes. */
export function serialHex(serial: ArrayBuffer | Uint8Array): string {
  return Buffer.from(serial instanceof Uint8Array ? serial : new Uint8Array(serial)).toString('hex').replace(/^0+(?=.)/, '');
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function cacheKey(url: string, certId: CertID): string {
  return [url, certId.hashAlgorithm.algorithm, Buffer.from(certId.issuerNameHash.buffer).toString('hex'), Buffer.from(certId.issuerKeyHash.buffer).toString('hex'), serialHex(certId.serialNumber)].join('|');
}

function reasonCodeOf(outcome: OcspOutcome): string {
  if (outcome.status === 'signatureError') return 'SignatureError';
  if (outcome.status === 'unavailable') return outcome.reason?.includes('timed out') ? 'Timeout' : 'Unavailable';
  return 'InvalidResponse';
}

function failed(reasonCode: string, additionalInfo: string): ResponseOf<'GetCertificateStatus'> {
  return { status: 'Failed', statusInfo: { reasonCode, additionalInfo: additionalInfo.slice(0, 512) } };
}
