/**
 * A contract-certificate PKI and a mock OCSP responder on 127.0.0.1 (port 0) for the OCSP tests:
 * an ECDSA P-256 CA (a mobility operator's sub-CA, as far as the CSMS can tell) made with
 * @peculiar/x509, contract certificates with an Authority Information Access pointing at the
 * responder, and real RFC 6960 answers built with @peculiar/asn1-ocsp and signed with the CA's key
 * (node:crypto, DER ECDSA signatures) — or garbage, or an HTTP error, or nothing at all.
 */
import type { ServerResponse } from 'node:http';
import { KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, CRLReason, CRLReasons, Name } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import { createHash } from 'node:crypto';
import { startHttpEndpoint } from '../../support/http-endpoint';

const CRYPTO = webcrypto as never;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' };

export interface TestCertificate {
  readonly pem: string;
  readonly asn: Certificate;
  readonly serial: string;
  readonly keys: webcrypto.CryptoKeyPair;
}

export interface TestCa extends TestCertificate {
  readonly name: string;
  /** A certificate signed by this CA: a contract certificate (with the responder's URL), a sub-CA, or an OCSP responder. */
  issue(commonName: string, options?: { ocspUrl?: string; notAfter?: Date; ca?: boolean; ocspSigning?: boolean }): Promise<TestCertificate>;
}

function serial(): string {
  const bytes = randomBytes(12);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function asTest(cert: x509.X509Certificate, keys: webcrypto.CryptoKeyPair): TestCertificate {
  return { pem: cert.toString('pem'), asn: AsnConvert.parse(cert.rawData, Certificate), serial: cert.serialNumber.replace(/^0+/, ''), keys };
}

export async function createTestCa(name = 'Test MO Sub-CA', options: { notAfter?: Date } = {}): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: options.notAfter ?? new Date(Date.now() + 365 * 86_400_000),
      keys: keys as never,
      signingAlgorithm: SIGNING,
      extensions: [new x509.BasicConstraintsExtension(true, 1, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    },
    CRYPTO,
  );
  const self = asTest(cert, keys);
  return {
    ...self,
    name,
    async issue(commonName, options = {}) {
      const leafKeys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey as never, false, CRYPTO),
      ];
      if (options.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [options.ocspUrl] }));
      if (options.ocspSigning) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.ocspSigning]));
      const issued = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serial(),
          subject: `CN=${commonName}`,
          issuer: cert.subjectName,
          notBefore: new Date(Date.now() - 3_600_000),
          notAfter: options.notAfter ?? new Date(Date.now() + 30 * 86_400_000),
          publicKey: leafKeys.publicKey as never,
          signingKey: keys.privateKey as never,
          signingAlgorithm: SIGNING,
          extensions,
        },
        CRYPTO,
      );
      return asTest(issued, leafKeys);
    },
  };
}

/** What the responder says about a serial number. */
export type Verdict = 'good' | 'revoked' | 'cancelled' | 'unknown';

/** How the responder behaves. */
export type Behaviour = 'answer' | 'garbage' | 'huge' | 'silent' | 'http500' | 'tryLater' | 'badSignature' | 'wrongCertificate';

export interface MockResponder {
  readonly url: string;
  /** Requests received. */
  requests: number;
  behaviour: Behaviour;
  /** The verdict per serial (hex, no leading zeroes); default good. */
  readonly verdicts: Map<string, Verdict>;
  /** nextUpdate = now + this (null: none). */
  nextUpdateMs: number | null;
  /** The certificate signing the answers (default: the CA itself) and whether to include it. */
  signer: { readonly cert: TestCertificate; readonly include: readonly TestCertificate[] };
  /** The last DER answer sent. */
  lastAnswer?: Buffer;
  close(): Promise<void>;
}

export async function startOcspResponder(ca: TestCa): Promise<MockResponder> {
  const responder: MockResponder = {
    url: '',
    requests: 0,
    behaviour: 'answer',
    verdicts: new Map(),
    nextUpdateMs: 3_600_000,
    signer: { cert: ca, include: [ca] },
    close: () => endpoint.close(),
  };
  const endpoint = await startHttpEndpoint((body, response) => {
    responder.requests += 1;
    switch (responder.behaviour) {
      case 'silent':
        return; // never answers: the client's timeout must end the exchange
      case 'huge':
        response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(200_000, 0x30));
        return;
      case 'http500':
        response.writeHead(500).end('responder down');
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('this is not DER at all'));
        return;
      case 'tryLater':
        send(response, Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: OCSPResponseStatus.tryLater }))), responder);
        return;
      default:
        try {
          send(response, answerFor(body, responder), responder);
        } catch (error) {
          response.writeHead(400).end(String(error));
        }
    }
  });
  (responder as { url: string }).url = `${endpoint.origin}/ocsp`;
  return responder;
}

function send(response: ServerResponse, der: Buffer, responder: MockResponder): void {
  responder.lastAnswer = der;
  response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(der);
}

function answerFor(body: Buffer, responder: MockResponder): Buffer {
  const request = AsnConvert.parse(body, OCSPRequest);
  const now = new Date();
  const responses = request.tbsRequest.requestList.map(({ reqCert }) => {
    const serialText = Buffer.from(reqCert.serialNumber).toString('hex').replace(/^0+(?=.)/, '');
    const verdict = responder.verdicts.get(serialText) ?? 'good';
    const certID =
      responder.behaviour === 'wrongCertificate'
        ? new CertID({ hashAlgorithm: reqCert.hashAlgorithm, issuerNameHash: reqCert.issuerNameHash, issuerKeyHash: reqCert.issuerKeyHash, serialNumber: new Uint8Array([0x01, 0x02]).buffer })
        : reqCert;
    return new SingleResponse({
      certID,
      certStatus:
        verdict === 'good'
          ? new CertStatus({ good: null })
          : verdict === 'unknown'
            ? new CertStatus({ unknown: null })
            : new CertStatus({
                revoked: new RevokedInfo({
                  revocationTime: new Date(now.getTime() - 86_400_000),
                  revocationReason: new CRLReason(verdict === 'cancelled' ? CRLReasons.cessationOfOperation : CRLReasons.keyCompromise),
                }),
              }),
      thisUpdate: new Date(now.getTime() - 60_000),
      ...(responder.nextUpdateMs !== null ? { nextUpdate: new Date(now.getTime() + responder.nextUpdateMs) } : {}),
    });
  });
  const signerKey = Buffer.from(responder.signer.cert.asn.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(createHash('sha1').update(signerKey).digest()) }),
    producedAt: now,
    responses,
  });
  const tbs = Buffer.from(AsnConvert.serialize(data));
  let signature = sign('sha256', tbs, KeyObject.from(responder.signer.cert.keys.privateKey as never));
  if (responder.behaviour === 'badSignature') {
    signature = Buffer.from(signature);
    signature[signature.length - 3] ^= 0x01;
  }
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }),
    signature: new Uint8Array(signature).buffer,
    certs: responder.signer.include.map((c) => c.asn),
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}

/** The OCPP hash data of `cert` issued by `ca` (what a station sends), hex. */
export function hashDataOf(cert: TestCertificate, ca: TestCertificate, responderURL: string) {
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  return {
    hashAlgorithm: 'SHA256' as const,
    issuerNameHash: sha(Buffer.from(AsnConvert.serialize(ca.asn.tbsCertificate.subject as Name))),
    issuerKeyHash: sha(Buffer.from(ca.asn.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: cert.serial,
    responderURL,
  };
}
