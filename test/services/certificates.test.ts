/**
 * The CSMS certificate authority (issue 11; OCPP 2.0.1 A02–A03, TC_A_11/TC_A_14_CSMS) through real
 * sockets: a profile-1 station (ocpp-rpc, strict) sends SignCertificate with a CSR it made, is
 * answered first, then receives CertificateSigned from the CSMS with a chain that verifies against
 * the CSMS's CA. Bad CSRs are Rejected and leave a security event; the embedded CA is generated
 * once and kept in the store; an operator's CA is read from its files.
 */
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { ConfigError } from '../../src/errors';
import { certificatesConfig, resolveCertificatesConfig } from '../../src/services/certificates';
import { testPki } from '../support/pki';
import { describePostgres, freshPostgresDatabase } from '../support/postgres';
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

const PASSWORD = 'Cert-Station-Pass-0123';

interface Received {
  readonly chain: string;
  readonly certificateType?: string;
  /** Whether the station had its SignCertificate answer when CertificateSigned arrived. */
  readonly afterAnswer: boolean;
}

let csms: SecurityCsms | undefined;

afterEach(async () => {
  await csms?.stop();
  csms = undefined;
});
afterAll(() => removeTemporaryFolders());

/** Connect and boot a station that records CertificateSigned calls and answers them `status`. */
async function station(id: string, status: 'Accepted' | 'Rejected' = 'Accepted'): Promise<{ client: RPCClient; received: Received[]; sign: (csr: string) => Promise<unknown> }> {
  const client = csms!.client(id, PASSWORD);
  const received: Received[] = [];
  let answered = false;
  client.handle('CertificateSigned', (({ params }: { params: { certificateChain: string; certificateType?: string } }) => {
    received.push({ chain: params.certificateChain, certificateType: params.certificateType, afterAnswer: answered });
    return { status };
  }) as never);
  await client.connect();
  await client.call('BootNotification', BOOT);
  const sign = async (csr: string) => {
    answered = false;
    const answer = await client.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' });
    answered = true;
    return answer;
  };
  return { client, received, sign };
}

async function caCertificate(): Promise<X509Certificate> {
  return new X509Certificate((await csms!.services.certificates.ca()).certificate.toString('pem'));
}

describe('SignCertificate of a ChargingStationCertificate (A02)', () => {
  it('answers Accepted, then sends CertificateSigned with a certificate for the station signed by the CSMS CA', async () => {
    csms = await startSecurityCsms({ stations: { CP1: PASSWORD } });
    const { received, sign } = await station('CP1');
    expect(await sign(rsaCsr({ CN: 'CP1', O: ORGANIZATION }))).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    expect(received[0]).toMatchObject({ certificateType: 'ChargingStationCertificate', afterAnswer: true });

    const [leafPem, caPem] = pemBlocks(received[0]!.chain);
    const leaf = new X509Certificate(leafPem!);
    const ca = await caCertificate();
    expect(new X509Certificate(caPem!).fingerprint256).toBe(ca.fingerprint256);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subject.split('\n')).toEqual(expect.arrayContaining(['CN=CP1', `O=${ORGANIZATION}`]));
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.2');

    // Recorded per station with its serial and expiry, and the station's answer.
    await eventually(async () => (await csms!.services.certificates.issued('CP1'))[0]?.stationStatus === 'Accepted');
    const [issued] = await csms.services.certificates.issued('CP1');
    expect(issued).toMatchObject({ serial: leaf.serialNumber.toLowerCase(), certificateType: 'ChargingStationCertificate', notAfter: new Date(leaf.validTo).toISOString() });
    expect(await csms.services.certificates.current('CP1')).toMatchObject({ serial: leaf.serialNumber.toLowerCase() });
  });

  it('signs an EC (P-256) CSR too, for the configured validity', async () => {
    csms = await startSecurityCsms({ stations: { CP2: PASSWORD }, certificates: { validityDays: 30 } });
    const { received, sign } = await station('CP2');
    expect(await sign(await ecCsr(`CN=CP2, O=${ORGANIZATION}`))).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    const leaf = new X509Certificate(pemBlocks(received[0]!.chain)[0]!);
    expect(leaf.verify((await caCertificate()).publicKey)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
    const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
  });

  it.each([
    ['a CN that is not the station identity', () => rsaCsr({ CN: 'OTHER', O: ORGANIZATION }), /wrong_common_name/],
    ['an O that is not the configured organization', () => rsaCsr({ CN: 'CP3', O: 'Someone Else' }), /wrong_organization/],
    ['no subject at all', () => rsaCsr({}), /wrong_common_name/],
    ['an RSA key of 1024 bits', () => rsaCsr({ CN: 'CP3', O: ORGANIZATION }, 1024), /weak_key/],
    ['text that is no CSR', () => '-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----', /unparsable/],
  ])('rejects a CSR with %s, records a security event, and sends nothing', async (_what, make, reason) => {
    csms = await startSecurityCsms({ stations: { CP3: PASSWORD } });
    const { client, received, sign } = await station('CP3');
    expect(await sign(make())).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidCSR', additionalInfo: expect.stringMatching(reason) } });
    const events = await csms.services.securityEvents.list({ stationId: 'CP3' });
    expect(events).toEqual([expect.objectContaining({ stationId: 'CP3', source: 'csms', type: 'CsrRejected', techInfo: expect.stringMatching(reason) })]);
    // The station is still served (a Heartbeat goes through the same connection) and got no certificate.
    await expect(client.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
    expect(received).toEqual([]);
    expect(await csms.services.certificates.issued('CP3')).toEqual([]);
  });

  it('rejects a V2GCertificate request with an RSA key (UnsupportedType)', async () => {
    csms = await startSecurityCsms({ stations: { CP4: PASSWORD } });
    const { client, received } = await station('CP4');
    const answer = await client.call('SignCertificate', { csr: rsaCsr({ CN: 'CP4', O: ORGANIZATION }), certificateType: 'V2GCertificate' });
    // ISO 15118 certificates are ECDSA only: the key type is refused, not the certificate type.
    expect(answer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedType', additionalInfo: expect.stringContaining('EC key') } });
    const events = await csms.services.securityEvents.list({ stationId: 'CP4' });
    expect(events).toEqual([expect.objectContaining({ source: 'csms', type: 'CsrRejected', techInfo: expect.stringContaining('V2GCertificate: unsupported_key') })]);
    // Nothing was signed: the station is still served and got no certificate.
    await expect(client.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
    expect(received).toEqual([]);
    expect(await csms.services.certificates.issued('CP4')).toEqual([]);
  });

  it('records a station that refuses the new certificate (TC_A_14_CSMS) and a security event', async () => {
    csms = await startSecurityCsms({ stations: { CP5: PASSWORD } });
    const { received, sign } = await station('CP5', 'Rejected');
    expect(await sign(rsaCsr({ CN: 'CP5', O: ORGANIZATION }))).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    await expect(csms.services.certificates.whenSent('CP5')).resolves.toMatchObject({ stationStatus: 'Rejected' });
    expect(await csms.services.certificates.issued('CP5')).toEqual([expect.objectContaining({ stationStatus: 'Rejected' })]);
    expect(await csms.services.certificates.current('CP5')).toBeUndefined();
    expect((await csms.services.securityEvents.list({ stationId: 'CP5', type: 'CertificateSignedRejected' })).length).toBe(1);
  });

  it('asks the station to renew its certificate with TriggerMessage SignChargingStationCertificate (A03)', async () => {
    csms = await startSecurityCsms({ stations: { CP6: PASSWORD } });
    const { client, received } = await station('CP6');
    client.handle('TriggerMessage', (({ params }: { params: { requestedMessage: string } }) => {
      if (params.requestedMessage === 'SignChargingStationCertificate') {
        setImmediate(() => void client.call('SignCertificate', { csr: rsaCsr({ CN: 'CP6', O: ORGANIZATION }) }));
      }
      return { status: 'Accepted' };
    }) as never);
    expect(await csms.services.certificates.requestRenewal('CP6')).toEqual({ status: 'Accepted' });
    await eventually(() => received.length === 1);
    expect(new X509Certificate(pemBlocks(received[0]!.chain)[0]!).subject).toContain('CN=CP6');
  });
});

describe('the CSMS certificate authority', () => {
  it('is generated once and kept in the store: a restart on the same SQLite file signs with the same CA', async () => {
    const storage = temporarySqlite();
    csms = await startSecurityCsms({ stations: { CP7: PASSWORD }, storage });
    const first = (await csms.services.certificates.ca()).certificate.toString('pem');
    await csms.stop();

    csms = await startSecurityCsms({ stations: { CP7: PASSWORD }, storage });
    expect((await csms.services.certificates.ca()).certificate.toString('pem')).toBe(first);
    const { received, sign } = await station('CP7');
    await sign(rsaCsr({ CN: 'CP7', O: ORGANIZATION }));
    await eventually(() => received.length === 1);
    expect(new X509Certificate(pemBlocks(received[0]!.chain)[0]!).checkIssued(new X509Certificate(first))).toBe(true);
  });

  it('is the operator’s when configured: key and certificate files relative to the configuration file', async () => {
    const pki = testPki();
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'ca-key.pem'), pki.ca.key);
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
    const section = resolveCertificatesConfig(certificatesConfig({ organization: ORGANIZATION, ca: { keyFile: 'ca-key.pem', certFile: 'ca.pem' } }), dir);
    expect(section.ca).toEqual({ keyFile: join(dir, 'ca-key.pem'), certFile: join(dir, 'ca.pem') });

    csms = await startSecurityCsms({ stations: { CP8: PASSWORD }, certificates: section });
    const { received, sign } = await station('CP8');
    await sign(rsaCsr({ CN: 'CP8', O: ORGANIZATION }));
    await eventually(() => received.length === 1);
    const [leaf, ca] = pemBlocks(received[0]!.chain).map((pem) => new X509Certificate(pem));
    const operatorCa = new X509Certificate(pki.ca.cert);
    expect(ca!.fingerprint256).toBe(operatorCa.fingerprint256);
    expect(leaf!.checkIssued(operatorCa) && leaf!.verify(operatorCa.publicKey)).toBe(true);
  });

  it('refuses to start with a key that is not the CA certificate’s, naming the field', async () => {
    const pki = testPki();
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'ca-key.pem'), pki.untrustedCa.key);
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
    const start = startSecurityCsms({ stations: {}, certificates: { ca: { keyFile: join(dir, 'ca-key.pem'), certFile: join(dir, 'ca.pem') } } });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toMatchObject({ field: 'certificates.ca.keyFile' });
  });

  it('refuses to start with a certificate that is not a CA, naming the field', async () => {
    const pki = testPki();
    const dir = temporaryFolder();
    writeFileSync(join(dir, 'key.pem'), pki.server.key);
    writeFileSync(join(dir, 'cert.pem'), pki.server.cert);
    const start = startSecurityCsms({ stations: {}, certificates: { ca: { keyFile: join(dir, 'key.pem'), certFile: join(dir, 'cert.pem') } } });
    await expect(start).rejects.toMatchObject({ field: 'certificates.ca.certFile' });
  });
});

describePostgres('on PostgreSQL', () => {
  it('keeps the embedded CA, the issued certificates and the security events across a restart', async () => {
    const database = await freshPostgresDatabase('csms_cert');
    try {
      const storage = { driver: 'postgres' as const, url: database.url };
      csms = await startSecurityCsms({ stations: { PG1: PASSWORD }, storage });
      const first = (await csms.services.certificates.ca()).certificate.toString('pem');
      const { received, sign } = await station('PG1');
      expect(await sign(rsaCsr({ CN: 'PG1', O: ORGANIZATION }))).toEqual({ status: 'Accepted' });
      await eventually(() => received.length === 1);
      await csms.services.certificates.whenSent('PG1');
      expect(await sign(rsaCsr({ CN: 'OTHER', O: ORGANIZATION }))).toMatchObject({ status: 'Rejected' });
      await csms.stop();

      csms = await startSecurityCsms({ stations: { PG1: PASSWORD }, storage });
      expect((await csms.services.certificates.ca()).certificate.toString('pem')).toBe(first);
      expect(await csms.services.certificates.current('PG1')).toMatchObject({ stationStatus: 'Accepted' });
      const events = await csms.services.securityEvents.list({ stationId: 'PG1' });
      expect(events).toEqual([expect.objectContaining({ type: 'CsrRejected', id: expect.any(Number) })]);
    } finally {
      await csms?.stop();
      csms = undefined;
      await database.drop();
    }
  });
});
