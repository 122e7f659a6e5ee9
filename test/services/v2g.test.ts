/**
 * V2GCertificate signing (issue 11 item 1; OCPP 2.0.1 A03 with certificateType V2GCertificate)
 * through real sockets: a strict ocpp-rpc station sends SignCertificate with an EC CSR, is answered
 * Accepted, then receives CertificateSigned (V2GCertificate) with a chain that verifies: the leaf
 * signed by the V2G sub-CA — the one the CSMS generated under its own CA and keeps in the store,
 * the operator's from files, or an external HTTP signer's. A CSR that does not parse or whose key
 * or CN does not fit is Rejected with a security event, and nothing is sent.
 */
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { RPCClient } from 'ocpp-rpc';
import { ConfigError } from '../../src/errors';
import { DEFAULT_V2G_CONFIG, type CertificatesConfig } from '../../src/services/certificates';
import { startHttpEndpoint, type HttpEndpoint } from '../support/http-endpoint';
import { testPki } from '../support/pki';
import { createTestCa, type TestCa } from './support/ocsp-responder';
import {
  BOOT,
  ORGANIZATION,
  ecCsr,
  eventually,
  pemBlocks,
  removeTemporaryFolders,
  rsaCsr,
  startSecurityCsms,
  temporaryFolder,
  temporarySqlite,
  type SecurityCsms,
} from './support/security-csms';

const PASSWORD = 'V2g-Station-Password-012';

interface Received {
  readonly chain: string;
  readonly certificateType?: string;
}

let csms: SecurityCsms | undefined;

afterEach(async () => {
  await csms?.stop();
  csms = undefined;
});
afterAll(() => removeTemporaryFolders());

/** Start a CSMS with `certificates`, connect and boot station `id`, recording its CertificateSigned calls. */
async function station(id: string, certificates: Partial<CertificatesConfig> = {}, storage = temporarySqlite()): Promise<{ client: RPCClient; received: Received[] }> {
  csms = await startSecurityCsms({ stations: { [id]: PASSWORD }, certificates, storage });
  const client = csms.client(id, PASSWORD);
  const received: Received[] = [];
  client.handle('CertificateSigned', (({ params }: { params: { certificateChain: string; certificateType?: string } }) => {
    received.push({ chain: params.certificateChain, certificateType: params.certificateType });
    return { status: 'Accepted' };
  }) as never);
  await client.connect();
  await client.call('BootNotification', BOOT);
  return { client, received };
}

const signV2g = (client: RPCClient, csr: string) => client.call('SignCertificate', { csr, certificateType: 'V2GCertificate' }) as Promise<{ status: string; statusInfo?: { reasonCode: string } }>;

describe('the embedded V2G sub-CA', () => {
  it('signs an EC CSR and sends the chain leaf + sub-CA, the sub-CA certified by the CSMS CA and the leaf fit for an SECC', async () => {
    const { client, received } = await station('CP1');
    expect(await signV2g(client, await ecCsr(`CN=CP1, O=${ORGANIZATION}`))).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    expect(received[0]!.certificateType).toBe('V2GCertificate');
    const [leaf, subCa, ...rest] = pemBlocks(received[0]!.chain).map((pem) => new X509Certificate(pem));
    expect(rest).toEqual([]);
    const root = new X509Certificate((await csms!.services.certificates.ca()).certificate.toString('pem'));
    expect(leaf!.subject).toBe(`CN=CP1\nO=${ORGANIZATION}`);
    expect(leaf!.checkIssued(subCa!) && leaf!.verify(subCa!.publicKey)).toBe(true);
    expect(subCa!.ca).toBe(true);
    expect(subCa!.subject).toBe(`CN=${DEFAULT_V2G_CONFIG.embeddedCaName}`);
    expect(subCa!.checkIssued(root) && subCa!.verify(root.publicKey)).toBe(true);
    expect(leaf!.ca).toBe(false);
    // Not a TLS client certificate of the station (that is the ChargingStationCertificate's job).
    expect(leaf!.keyUsage ?? []).not.toContain('1.3.6.1.5.5.7.3.2');
    const outcome = await csms!.services.certificates.whenV2gSent('CP1');
    expect(outcome).toMatchObject({ stationStatus: 'Accepted', issued: { certificateType: 'V2GCertificate', subject: expect.stringContaining('CN=CP1') } });
    // A V2G certificate is not the station's certificate in use (its profile-3 identity).
    expect(await csms!.services.certificates.current('CP1')).toBeUndefined();
    expect(await csms!.services.certificates.whenSent('CP1')).toEqual({});
  });

  it('keeps its sub-CA in the store: after a restart on the same database the same sub-CA signs', async () => {
    const storage = temporarySqlite();
    const first = await station('CP2', {}, storage);
    await signV2g(first.client, await ecCsr(`CN=CP2, O=${ORGANIZATION}`));
    await eventually(() => first.received.length === 1);
    const before = new X509Certificate(pemBlocks(first.received[0]!.chain)[1]!);
    await csms!.stop();
    const second = await station('CP2', {}, storage);
    await signV2g(second.client, await ecCsr(`CN=CP2, O=${ORGANIZATION}`));
    await eventually(() => second.received.length === 1);
    const after = new X509Certificate(pemBlocks(second.received[0]!.chain)[1]!);
    expect(after.fingerprint256).toBe(before.fingerprint256);
  });

  it('rejects an RSA key (UnsupportedType), a wrong CN and garbage (InvalidCSR) with a CsrRejected event each, and sends nothing', async () => {
    const { client, received } = await station('CP3');
    expect(await signV2g(client, rsaCsr({ CN: 'CP3', O: ORGANIZATION }))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedType' } });
    expect(await signV2g(client, await ecCsr(`CN=CP999, O=${ORGANIZATION}`))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR' } });
    expect(await signV2g(client, '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----')).toMatchObject({
      status: 'Rejected',
      statusInfo: { reasonCode: 'InvalidCSR' },
    });
    const events = await csms!.services.securityEvents.list({ stationId: 'CP3', type: 'CsrRejected' });
    expect(events.map((e) => e.techInfo)).toEqual([
      expect.stringMatching(/^V2GCertificate: unparsable/),
      expect.stringMatching(/^V2GCertificate: wrong_common_name/),
      expect.stringMatching(/^V2GCertificate: unsupported_key/),
    ]);
    await expect(client.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
    expect(received).toEqual([]);
    expect(await csms!.services.certificates.issued('CP3')).toEqual([]);
  });

  it('rejects every V2GCertificate request when v2g signing is switched off', async () => {
    const { client } = await station('CP4', { v2g: { ...DEFAULT_V2G_CONFIG, enabled: false } });
    expect(await signV2g(client, await ecCsr(`CN=CP4, O=${ORGANIZATION}`))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedType' } });
  });
});

describe('the operator’s V2G sub-CA', () => {
  it('signs with the sub-CA of the configured files and sends the chain as the file lists it', async () => {
    const pki = testPki();
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'v2g-key.pem'), pki.ca.key);
    writeFileSync(join(dir, 'v2g.pem'), pki.ca.cert);
    const { client, received } = await station('CP5', { v2g: { ...DEFAULT_V2G_CONFIG, ca: { keyFile: join(dir, 'v2g-key.pem'), certFile: join(dir, 'v2g.pem') } } });
    expect(await signV2g(client, await ecCsr(`CN=CP5, O=${ORGANIZATION}`))).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    const [leaf, subCa] = pemBlocks(received[0]!.chain).map((pem) => new X509Certificate(pem));
    expect(subCa!.fingerprint256).toBe(new X509Certificate(pki.ca.cert).fingerprint256);
    expect(leaf!.verify(subCa!.publicKey)).toBe(true);
  });

  it('fails the start naming certificates.v2g.ca.keyFile when the key is not the certificate’s', async () => {
    const pki = testPki();
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'other-key.pem'), pki.server.key);
    writeFileSync(join(dir, 'v2g.pem'), pki.ca.cert);
    const start = startSecurityCsms({ stations: {}, certificates: { v2g: { ...DEFAULT_V2G_CONFIG, ca: { keyFile: join(dir, 'other-key.pem'), certFile: join(dir, 'v2g.pem') } } } });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toMatchObject({ field: 'certificates.v2g.ca.keyFile' });
  });
});

describe('an external V2G signer', () => {
  let signerCa: TestCa;
  let signer: HttpEndpoint;
  let url: string;
  let requests: Record<string, unknown>[];
  let answer: (csr: x509.Pkcs10CertificateRequest) => Promise<{ status: number; type: string; body: string }>;

  beforeAll(async () => {
    signerCa = await createTestCa('External V2G Sub-CA');
  });
  beforeEach(async () => {
    requests = [];
    answer = async (csr) => ({ status: 200, type: 'application/json', body: JSON.stringify({ certificateChain: `${await signed(csr)}\n${signerCa.pem}` }) });
    signer = await startHttpEndpoint((raw, response) => {
      const body = JSON.parse(raw.toString('utf8')) as { csr: string };
      requests.push(body);
      void answer(new x509.Pkcs10CertificateRequest(body.csr)).then((a) => response.writeHead(a.status, { 'content-type': a.type }).end(a.body));
    });
    url = `${signer.origin}/v2g/sign`;
  });
  afterEach(() => signer.close());

  async function signed(csr: x509.Pkcs10CertificateRequest, publicKey = csr.publicKey): Promise<string> {
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: '0a1b2c3d',
        subject: csr.subject,
        issuer: `CN=${signerCa.name}`,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        publicKey,
        signingKey: signerCa.keys.privateKey as never,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      },
      webcrypto as never,
    );
    return cert.toString('pem');
  }

  it('sends the checked CSR to the signer and its chain to the station', async () => {
    const { client, received } = await station('CP6', { v2gSigner: { url, timeoutMs: 5_000 } });
    const csr = await ecCsr(`CN=CP6, O=${ORGANIZATION}`);
    expect(await signV2g(client, csr)).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    expect(requests).toEqual([{ stationId: 'CP6', certificateType: 'V2GCertificate', csr: expect.stringContaining('BEGIN CERTIFICATE REQUEST') }]);
    const [leaf, issuer] = pemBlocks(received[0]!.chain).map((pem) => new X509Certificate(pem));
    expect(issuer!.fingerprint256).toBe(new X509Certificate(signerCa.pem).fingerprint256);
    expect(leaf!.verify(issuer!.publicKey)).toBe(true);
    expect(await csms!.services.certificates.issued('CP6')).toEqual([expect.objectContaining({ certificateType: 'V2GCertificate', serial: '0a1b2c3d', stationStatus: 'Accepted' })]);
  });

  it('sends nothing when the signer returns a certificate for another key, fails, or answers no PEM; the failure is kept', async () => {
    const { client, received } = await station('CP7', { v2gSigner: { url, timeoutMs: 5_000 } });
    const otherKey = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey;
    answer = async (csr) => ({ status: 200, type: 'application/x-pem-file', body: await signed(csr, otherKey as never) });
    expect(await signV2g(client, await ecCsr(`CN=CP7, O=${ORGANIZATION}`))).toEqual({ status: 'Accepted' });
    await expect(csms!.services.certificates.whenV2gSent('CP7')).resolves.toMatchObject({ error: expect.stringMatching(/not for the key of the CSR/) });
    answer = () => Promise.resolve({ status: 500, type: 'text/plain', body: 'down' });
    await signV2g(client, await ecCsr(`CN=CP7, O=${ORGANIZATION}`));
    await expect(csms!.services.certificates.whenV2gSent('CP7')).resolves.toMatchObject({ error: expect.stringMatching(/HTTP 500/) });
    answer = () => Promise.resolve({ status: 200, type: 'application/json', body: JSON.stringify({ certificateChain: 'nothing' }) });
    await signV2g(client, await ecCsr(`CN=CP7, O=${ORGANIZATION}`));
    await expect(csms!.services.certificates.whenV2gSent('CP7')).resolves.toMatchObject({ error: expect.stringMatching(/not a PEM certificate chain/) });
    expect(requests).toHaveLength(3);
    expect(received).toEqual([]);
    expect(await csms!.services.certificates.issued('CP7')).toEqual([]);
  });
});
