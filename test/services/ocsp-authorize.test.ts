/**
 * Authorize with contract-certificate data and GetCertificateStatus over real sockets (issue 11
 * item 5; OCPP 2.0.1 C07, M06): a profile-1 station (ocpp-rpc, strict: every answer validated
 * against the OCPP 2.0.1 schemas) talks to the standard CSMS, which asks a mock OCSP responder on
 * 127.0.0.1. The token service's decision and the certificate status are combined.
 */
import type { RPCClient } from 'ocpp-rpc';
import { DEFAULT_OCSP_CONFIG } from '../../src/services/certificates';
import { createTestCa, hashDataOf, startOcspResponder, type MockResponder, type TestCa, type TestCertificate } from './support/ocsp-responder';
import { BOOT, removeTemporaryFolders, startSecurityCsms, type SecurityCsms } from './support/security-csms';

const PASSWORD = 'Ocsp-Station-Pass-0123';

let ca: TestCa;
let responder: MockResponder;
let contract: TestCertificate;
let csms: SecurityCsms;
let station: RPCClient;

beforeAll(async () => {
  ca = await createTestCa();
});
beforeEach(async () => {
  responder = await startOcspResponder(ca);
  contract = await ca.issue('EMAID-DE8AA001', { ocspUrl: responder.url });
  csms = await startSecurityCsms({ stations: { CP1: PASSWORD }, certificates: { ocsp: { ...DEFAULT_OCSP_CONFIG, timeoutMs: 2_000 } } });
  await csms.services.tokens.put({ idToken: 'DE8AA001', type: 'eMAID', status: 'Accepted' }).ticket.promise;
  await csms.services.tokens.put({ idToken: 'BLOCKED01', type: 'eMAID', status: 'Blocked' }).ticket.promise;
  station = csms.client('CP1', PASSWORD);
  await station.connect();
  await station.call('BootNotification', BOOT);
});
afterEach(async () => {
  await csms.stop();
  await responder.close();
});
afterAll(() => removeTemporaryFolders());

const authorize = (payload: Record<string, unknown>) => station.call('Authorize', payload) as Promise<{ idTokenInfo: { status: string }; certificateStatus?: string }>;

describe('Authorize with iso15118CertificateHashData (C07)', () => {
  it('answers Accepted with certificateStatus Accepted when the token is known and the responder says good', async () => {
    const answer = await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] });
    expect(answer).toEqual({ idTokenInfo: expect.objectContaining({ status: 'Accepted' }), certificateStatus: 'Accepted' });
    expect(responder.requests).toBe(1);
  });

  it('answers Invalid with CertificateRevoked when the responder says revoked, though the token is Accepted', async () => {
    responder.verdicts.set(contract.serial, 'revoked');
    const answer = await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] });
    expect(answer).toMatchObject({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
  });

  it('keeps the token service’s refusal when the certificate is good', async () => {
    const answer = await authorize({ idToken: { idToken: 'BLOCKED01', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] });
    expect(answer).toMatchObject({ idTokenInfo: { status: 'Blocked' }, certificateStatus: 'Accepted' });
  });

  it('answers Unknown with NoCertificateAvailable for garbage, and within the timeout when the responder is silent', async () => {
    responder.behaviour = 'garbage';
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] })).toMatchObject({
      idTokenInfo: { status: 'Unknown' },
      certificateStatus: 'NoCertificateAvailable',
    });
    responder.behaviour = 'silent';
    const other = await ca.issue('EMAID-SILENT', { ocspUrl: responder.url });
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(other, ca, responder.url)] })).toMatchObject({
      idTokenInfo: { status: 'Unknown' },
      certificateStatus: 'NoCertificateAvailable',
    });
    // The station is still served after the silent responder.
    await expect(station.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
  });

  it('answers without certificateStatus and without asking any responder when the request carries no certificate data', async () => {
    const answer = await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' } });
    expect(answer).toEqual({ idTokenInfo: expect.objectContaining({ status: 'Accepted' }) });
    expect(answer.certificateStatus).toBeUndefined();
    expect(responder.requests).toBe(0);
  });
});

describe('Authorize with a PEM contract certificate (C07)', () => {
  it('checks the certificate through the responder its Authority Information Access names', async () => {
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, certificate: contract.pem })).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    expect(responder.requests).toBe(1);
    const cancelled = await ca.issue('EMAID-CANCELLED', { ocspUrl: responder.url });
    responder.verdicts.set(cancelled.serial, 'cancelled');
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, certificate: cancelled.pem })).toMatchObject({
      idTokenInfo: { status: 'Invalid' },
      certificateStatus: 'ContractCancelled',
    });
  });

  it('answers Expired with CertificateExpired for an expired certificate and CertChainError for one that does not parse', async () => {
    const expired = await ca.issue('EMAID-OLD', { ocspUrl: responder.url, notAfter: new Date(Date.now() - 60_000) });
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, certificate: expired.pem })).toMatchObject({
      idTokenInfo: { status: 'Expired' },
      certificateStatus: 'CertificateExpired',
    });
    expect(await authorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, certificate: 'not a certificate' })).toMatchObject({
      idTokenInfo: { status: 'Invalid' },
      certificateStatus: 'CertChainError',
    });
    expect(responder.requests).toBe(0);
  });
});

describe('GetCertificateStatus (M06)', () => {
  it('answers Accepted with the responder’s DER answer base64, and Failed when the responder answers garbage', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    const answer = (await station.call('GetCertificateStatus', { ocspRequestData: data })) as { status: string; ocspResult?: string };
    expect(answer.status).toBe('Accepted');
    expect(Buffer.from(answer.ocspResult!, 'base64').equals(responder.lastAnswer!)).toBe(true);
    responder.behaviour = 'garbage';
    const other = await ca.issue('EMAID-GARBAGE', { ocspUrl: responder.url });
    expect(await station.call('GetCertificateStatus', { ocspRequestData: hashDataOf(other, ca, responder.url) })).toMatchObject({
      status: 'Failed',
      statusInfo: { reasonCode: 'InvalidResponse' },
    });
  });
});
