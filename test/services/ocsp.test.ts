/**
 * The OCSP client (issue 11 item 5; OCPP 2.0.1 C07, M06) against a mock responder on 127.0.0.1
 * that answers real RFC 6960 responses signed by a test CA: good, revoked, a cancelled contract,
 * unknown, garbage, an HTTP error, a bad signature, an answer about another certificate, and
 * nothing at all (the timeout ends the exchange). Answers are cached until their nextUpdate.
 */
import { OcspService } from '../../src/services/certificates/ocsp';
import { DEFAULT_OCSP_CONFIG } from '../../src/services/certificates/iso15118-config';
import { createTestCa, hashDataOf, startOcspResponder, type MockResponder, type TestCa, type TestCertificate } from './support/ocsp-responder';

let ca: TestCa;
let responder: MockResponder;
let contract: TestCertificate;
let clock: number;

const service = (settings: Partial<typeof DEFAULT_OCSP_CONFIG> = {}) => new OcspService({ ...DEFAULT_OCSP_CONFIG, timeoutMs: 5_000, ...settings }, { now: () => clock });

beforeAll(async () => {
  ca = await createTestCa();
});
beforeEach(async () => {
  clock = Date.now();
  responder = await startOcspResponder(ca);
  contract = await ca.issue('EMAID-DE8AA001', { ocspUrl: responder.url });
});
afterEach(async () => {
  await responder.close();
});

describe('Authorize with iso15118CertificateHashData', () => {
  it('answers Accepted when the responder says good, having sent it a request built from the hash data', async () => {
    const check = await service().checkAuthorize({ idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] });
    expect(check).toEqual({ certificateStatus: 'Accepted' });
    expect(responder.requests).toBe(1);
  });

  it('answers CertificateRevoked for a revoked certificate and ContractCancelled for one revoked as cessationOfOperation', async () => {
    const ocsp = service();
    responder.verdicts.set(contract.serial, 'revoked');
    expect(await ocsp.checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url)] })).toMatchObject({
      certificateStatus: 'CertificateRevoked',
      reason: expect.stringMatching(/keyCompromise/),
    });
    const cancelled = await ca.issue('EMAID-CANCELLED', { ocspUrl: responder.url });
    responder.verdicts.set(cancelled.serial, 'cancelled');
    expect(await ocsp.checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(cancelled, ca, responder.url)] })).toMatchObject({
      certificateStatus: 'ContractCancelled',
    });
  });

  it('decides by the first entry that is not good when the chain has several', async () => {
    const subCa = await ca.issue('MO Sub-CA 2', { ca: true });
    responder.verdicts.set(subCa.serial, 'revoked');
    const check = await service().checkAuthorize({
      idToken: { idToken: 'X', type: 'eMAID' },
      iso15118CertificateHashData: [hashDataOf(contract, ca, responder.url), hashDataOf(subCa, ca, responder.url)],
    });
    expect(check?.certificateStatus).toBe('CertificateRevoked');
    expect(responder.requests).toBe(2);
  });

  it('answers NoCertificateAvailable when the responder does not know the certificate, answers garbage, an HTTP error or tryLater', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    const authorize = () => service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] });
    responder.verdicts.set(contract.serial, 'unknown');
    expect(await authorize()).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/does not know/) });
    responder.behaviour = 'garbage';
    expect(await authorize()).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/does not parse/) });
    responder.behaviour = 'http500';
    expect(await authorize()).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/HTTP 500/) });
    responder.behaviour = 'tryLater';
    expect(await authorize()).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/tryLater/) });
    responder.behaviour = 'wrongCertificate';
    expect(await authorize()).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/not about this certificate/) });
  });

  it('answers SignatureError when the answer’s signature does not verify, or its signer is not the issuer nor a responder it certified', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    responder.behaviour = 'badSignature';
    expect(await service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] })).toMatchObject({
      certificateStatus: 'SignatureError',
      reason: expect.stringMatching(/does not verify/),
    });
    responder.behaviour = 'answer';
    const impostor = await ca.issue('Not a responder');
    responder.signer = { cert: impostor, include: [impostor] };
    expect(await service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] })).toMatchObject({
      certificateStatus: 'SignatureError',
      reason: expect.stringMatching(/neither the issuer nor an OCSP responder/),
    });
  });

  it('accepts a delegated responder the issuer certified, and cannot trace one whose issuer is missing (CertChainError)', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    const delegated = await ca.issue('OCSP Responder', { ocspSigning: true });
    responder.signer = { cert: delegated, include: [delegated, ca] };
    expect(await service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] })).toEqual({ certificateStatus: 'Accepted' });
    responder.signer = { cert: delegated, include: [delegated] };
    expect(await service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] })).toMatchObject({
      certificateStatus: 'CertChainError',
      reason: expect.stringMatching(/issuer is neither in the answer nor known/),
    });
  });

  it('gives NoCertificateAvailable within the timeout when the responder never answers, or cannot be reached', async () => {
    responder.behaviour = 'silent';
    const data = hashDataOf(contract, ca, responder.url);
    const check = await service({ timeoutMs: 300 }).checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] });
    expect(check).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/timed out/) });
    expect(responder.requests).toBe(1);
    await responder.close();
    const closed = await service().checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] });
    expect(closed).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/unreachable/) });
    responder = await startOcspResponder(ca);
  });

  it('refuses hash data that is not hex of the algorithm’s length, and responder URLs that are not http(s) or not allowed, without asking anyone', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    const ask = (entry: typeof data, ocsp = service()) => ocsp.checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [entry] });
    expect(await ask({ ...data, issuerNameHash: data.issuerNameHash.slice(2) })).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/hexadecimal/) });
    expect(await ask({ ...data, serialNumber: 'not-hex' })).toMatchObject({ certificateStatus: 'NoCertificateAvailable' });
    expect(await ask({ ...data, responderURL: 'file:///etc/passwd' })).toMatchObject({ reason: expect.stringMatching(/not an http\(s\) URL/) });
    expect(await ask(data, service({ allowedResponders: ['https://ocsp.example.com/'] }))).toMatchObject({ reason: expect.stringMatching(/allowedResponders/) });
    expect(responder.requests).toBe(0);
    expect(await ask(data, service({ allowedResponders: [responder.url] }))).toEqual({ certificateStatus: 'Accepted' });
  });
});

describe('Authorize with a PEM contract certificate', () => {
  it('takes the responder from the certificate’s Authority Information Access, with the issuer from the PEM or from its authorityKeyIdentifier', async () => {
    const ocsp = service();
    expect(await ocsp.checkCertificate(`${contract.pem}\n${ca.pem}`)).toEqual({ certificateStatus: 'Accepted' });
    expect(await ocsp.checkCertificate(contract.pem)).toEqual({ certificateStatus: 'Accepted' });
    expect(responder.requests).toBe(2);
    responder.verdicts.set(contract.serial, 'revoked');
    ocsp.clearCache();
    expect((await ocsp.checkCertificate(contract.pem)).certificateStatus).toBe('CertificateRevoked');
  });

  it('answers CertificateExpired, CertChainError, SignatureError or NoCertificateAvailable without OCSP when the certificate itself says so', async () => {
    const ocsp = service();
    clock = Date.now() + 40 * 86_400_000;
    expect(await ocsp.checkCertificate(contract.pem)).toMatchObject({ certificateStatus: 'CertificateExpired' });
    clock = Date.now();
    expect(await ocsp.checkCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toMatchObject({ certificateStatus: 'CertChainError' });
    expect(await ocsp.checkCertificate('hello')).toMatchObject({ certificateStatus: 'CertChainError' });
    const other = await createTestCa('Another CA');
    expect(await ocsp.checkCertificate(`${contract.pem}\n${other.pem}`)).toMatchObject({ certificateStatus: 'CertChainError' });
    const sameName = await createTestCa(ca.name);
    expect(await ocsp.checkCertificate(`${contract.pem}\n${sameName.pem}`)).toMatchObject({ certificateStatus: 'SignatureError' });
    const noAia = await ca.issue('EMAID-NO-AIA');
    expect(await ocsp.checkCertificate(noAia.pem)).toMatchObject({ certificateStatus: 'NoCertificateAvailable', reason: expect.stringMatching(/Authority Information Access/) });
    expect(responder.requests).toBe(0);
  });
});

describe('caching', () => {
  it('serves an answer from the cache until its nextUpdate, then asks again', async () => {
    const ocsp = service();
    responder.nextUpdateMs = 600_000;
    const data = hashDataOf(contract, ca, responder.url);
    const ask = () => ocsp.checkAuthorize({ idToken: { idToken: 'X', type: 'eMAID' }, iso15118CertificateHashData: [data] });
    expect(await ask()).toEqual({ certificateStatus: 'Accepted' });
    responder.verdicts.set(contract.serial, 'revoked');
    clock += 599_000;
    expect(await ask()).toEqual({ certificateStatus: 'Accepted' });
    expect(responder.requests).toBe(1);
    clock += 2_000;
    expect((await ask())?.certificateStatus).toBe('CertificateRevoked');
    expect(responder.requests).toBe(2);
  });

  it('does not cache an answer without nextUpdate, nor a failure, and shares one exchange between concurrent queries', async () => {
    const ocsp = service();
    responder.nextUpdateMs = null;
    const data = hashDataOf(contract, ca, responder.url);
    await ocsp.queryHashData(data);
    await ocsp.queryHashData(data);
    expect(responder.requests).toBe(2);
    responder.nextUpdateMs = 600_000;
    responder.behaviour = 'garbage';
    await ocsp.queryHashData(data);
    responder.behaviour = 'answer';
    const [a, b] = await Promise.all([ocsp.queryHashData(data), ocsp.queryHashData(data)]);
    expect(a.status).toBe('good');
    expect(b.status).toBe('good');
    expect(responder.requests).toBe(4);
    expect((await ocsp.queryHashData(data)).cached).toBe(true);
    expect(responder.requests).toBe(4);
  });
});

describe('answers out of date', () => {
  it('counts an answer whose nextUpdate passed, or whose thisUpdate is in the future, as unknown', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    responder.nextUpdateMs = -10 * 60_000;
    expect(await service().queryHashData(data)).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/out of date/) });
    responder.nextUpdateMs = 600_000;
    clock = Date.now() - 3_600_000;
    expect(await service().queryHashData(data)).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/thisUpdate is in the future/) });
  });
});

describe('bounds', () => {
  it('keeps at most maxCacheEntries answers, dropping the oldest, and none with 0', async () => {
    const ocsp = service({ maxCacheEntries: 1 });
    const second = await ca.issue('EMAID-SECOND', { ocspUrl: responder.url });
    const [a, b] = [hashDataOf(contract, ca, responder.url), hashDataOf(second, ca, responder.url)];
    await ocsp.queryHashData(a);
    expect((await ocsp.queryHashData(a)).cached).toBe(true);
    await ocsp.queryHashData(b);
    expect((await ocsp.queryHashData(b)).cached).toBe(true);
    expect((await ocsp.queryHashData(a)).cached).toBeUndefined();
    expect(responder.requests).toBe(3);
    const none = service({ maxCacheEntries: 0 });
    await none.queryHashData(a);
    expect((await none.queryHashData(a)).cached).toBeUndefined();
    expect(responder.requests).toBe(5);
  });

  it('stops reading an answer longer than maxResponseBytes and counts it as no answer', async () => {
    responder.behaviour = 'huge';
    const outcome = await service({ maxResponseBytes: 4096 }).queryHashData(hashDataOf(contract, ca, responder.url));
    expect(outcome).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/answer too large/) });
  });
});

describe('GetCertificateStatus (M06)', () => {
  it('returns the responder’s DER answer base64 in ocspResult', async () => {
    const answer = await service().getCertificateStatus({ ocspRequestData: hashDataOf(contract, ca, responder.url) });
    expect(answer.status).toBe('Accepted');
    expect(Buffer.from(answer.ocspResult!, 'base64').equals(responder.lastAnswer!)).toBe(true);
  });

  it('relays a revoked answer too: the station reads the status itself', async () => {
    responder.verdicts.set(contract.serial, 'revoked');
    const answer = await service().getCertificateStatus({ ocspRequestData: hashDataOf(contract, ca, responder.url) });
    expect(answer).toMatchObject({ status: 'Accepted', ocspResult: responder.lastAnswer!.toString('base64') });
  });

  it('answers Failed with a reason for garbage, a bad signature, no answer in time and a closed port', async () => {
    const data = hashDataOf(contract, ca, responder.url);
    responder.behaviour = 'garbage';
    expect(await service().getCertificateStatus({ ocspRequestData: data })).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidResponse' } });
    responder.behaviour = 'badSignature';
    expect(await service().getCertificateStatus({ ocspRequestData: data })).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'SignatureError' } });
    responder.behaviour = 'silent';
    const slow = await service({ timeoutMs: 300 }).getCertificateStatus({ ocspRequestData: data });
    expect(slow).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'Timeout' } });
    expect(slow.ocspResult).toBeUndefined();
    await responder.close();
    expect(await service().getCertificateStatus({ ocspRequestData: data })).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'Unavailable' } });
    responder = await startOcspResponder(ca);
  });
});
