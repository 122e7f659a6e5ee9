/**
 * The ISO 15118 certificate services as an operator runs them (issue 11 items 1, 5, 6): the
 * `ocpp-csms` command with a configuration file naming a contract-certificate provider, OCSP
 * settings and a V2G sub-CA by relative paths, a strict ocpp-rpc station, and the admin API.
 * One process start: Get15118EVCertificate reaches the provider, Authorize with hash data reaches
 * the OCSP responder, a V2G CSR is signed by the file's sub-CA, and a root installed through the
 * admin API is recorded.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { api } from '../admin/harness';
import { runCli, servedAddresses, writeServeConfig, type Run } from '../support/cli-process';
import { startHttpEndpoint, type HttpEndpoint } from '../support/http-endpoint';
import { testPki } from '../support/pki';
import { createTestCa, hashDataOf, startOcspResponder, type MockResponder, type TestCa } from './support/ocsp-responder';
import { ecCsr, eventually, pemBlocks } from './support/security-csms';

// The child starts from source through ts-node (several seconds of CPU on a busy machine).
jest.setTimeout(180_000);

let dir: string;
let provider: HttpEndpoint;
let providerUrl: string;
let mo: TestCa;
let responder: MockResponder;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'csms-15118-serve-'));
  provider = await startHttpEndpoint((_body, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Accepted', exiResponse: 'AAECAwQF' })),
  );
  providerUrl = `${provider.origin}/15118`;
  mo = await createTestCa('Serve MO Sub-CA');
  responder = await startOcspResponder(mo);
});
afterAll(async () => {
  await provider.close();
  await responder.close();
  rmSync(dir, { recursive: true, force: true });
});

it('serves Get15118EVCertificate, OCSP in Authorize, V2G signing by the file’s sub-CA and installed certificates from the configuration file', async () => {
  const pki = testPki();
  writeFileSync(join(dir, 'v2g-key.pem'), pki.ca.key);
  writeFileSync(join(dir, 'v2g.pem'), pki.ca.cert);
  const config = writeServeConfig(dir, {
    tokens: [{ idToken: 'DE8AA001', type: 'eMAID', status: 'Accepted' }],
    certificates: {
      v2g: { ca: { keyFile: 'v2g-key.pem', certFile: 'v2g.pem' } },
      ocsp: { timeoutMs: 5_000, allowedResponders: [responder.url] },
      contractProvider: { url: providerUrl, timeoutMs: 5_000 },
    },
  });
  const contract = await mo.issue('EMAID-DE8AA001', { ocspUrl: responder.url });
  const run: Run = runCli(['--config', config]);
  try {
    const { endpoint, admin } = await servedAddresses(run);
    const cp = new RPCClient({ endpoint, identity: 'CP1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
    const signed: string[] = [];
    cp.handle('CertificateSigned', (({ params }: { params: { certificateChain: string } }) => (signed.push(params.certificateChain), { status: 'Accepted' })) as never);
    cp.handle('InstallCertificate', (() => ({ status: 'Accepted' })) as never);
    await cp.connect();
    try {
      await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
      expect(await cp.call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'AAEC' })).toEqual({
        status: 'Accepted',
        exiResponse: 'AAECAwQF',
      });
      expect(
        await cp.call('Authorize', { idToken: { idToken: 'DE8AA001', type: 'eMAID' }, iso15118CertificateHashData: [hashDataOf(contract, mo, responder.url)] }),
      ).toMatchObject({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
      expect(responder.requests).toBe(1);
      expect(await cp.call('SignCertificate', { csr: await ecCsr('CN=CP1'), certificateType: 'V2GCertificate' })).toEqual({ status: 'Accepted' });
      await eventually(() => signed.length === 1);
      expect(new X509Certificate(pemBlocks(signed[0]!)[1]!).fingerprint256).toBe(new X509Certificate(pki.ca.cert).fingerprint256);
      const installed = await api(admin, 'POST', '/api/stations/CP1/installed-certificates', { certificateType: 'V2GRootCertificate', certificate: mo.pem });
      expect(installed.status).toBe(200);
      expect((await api(admin, 'GET', '/api/stations/CP1/installed-certificates')).body.certificates).toEqual([
        expect.objectContaining({ certificateType: 'V2GRootCertificate', serialNumber: mo.serial, source: 'install' }),
      ]);
    } finally {
      await cp.close({ code: 1000 });
    }
  } finally {
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }
});
