/**
 * Get15118EVCertificate (issue 11 item 6; OCPP 2.0.1 M01–M02) over real sockets: a strict
 * ocpp-rpc station asks the standard CSMS, which forwards the EV's EXI request to a mock
 * contract-certificate provider on 127.0.0.1 and returns its EXI answer; Failed with a reason when
 * no provider is configured, or it fails, answers nonsense or never answers.
 */
import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { resolveCertificatesConfig, type CertificatesConfig } from '../../src/services/certificates';
import { startHttpEndpoint } from '../support/http-endpoint';
import { BOOT, removeTemporaryFolders, startSecurityCsms, type SecurityCsms } from './support/security-csms';

const PASSWORD = 'Iso15118-Station-Pass-01';
const EXI_REQUEST = randomBytes(900).toString('base64');
const EXI_RESPONSE = randomBytes(2400).toString('base64');

interface Provider {
  readonly url: string;
  readonly received: { body: Record<string, unknown>; authorization?: string }[];
  respond: (response: ServerResponse) => void;
  close(): Promise<void>;
}

async function startProvider(): Promise<Provider> {
  const provider: Provider = {
    url: '',
    received: [],
    respond: (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Accepted', exiResponse: EXI_RESPONSE })),
    close: () => endpoint.close(),
  };
  const endpoint = await startHttpEndpoint((body, response, request) => {
    provider.received.push({ body: JSON.parse(body.toString('utf8')) as Record<string, unknown>, authorization: request.headers.authorization });
    provider.respond(response);
  });
  (provider as { url: string }).url = `${endpoint.origin}/15118/certificate`;
  return provider;
}

let provider: Provider;
let csms: SecurityCsms | undefined;

beforeEach(async () => {
  provider = await startProvider();
});
afterEach(async () => {
  await csms?.stop();
  csms = undefined;
  await provider.close();
});
afterAll(() => removeTemporaryFolders());

async function station(certificates: Partial<CertificatesConfig>): Promise<RPCClient> {
  csms = await startSecurityCsms({ stations: { CP1: PASSWORD }, certificates });
  const client = csms.client('CP1', PASSWORD);
  await client.connect();
  await client.call('BootNotification', BOOT);
  return client;
}

const request = (action: 'Install' | 'Update' = 'Install') => ({ iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action, exiRequest: EXI_REQUEST });

describe('Get15118EVCertificate with a contract-certificate provider', () => {
  it('passes the EXI request through to the provider and returns its EXI answer (M01 install)', async () => {
    const client = await station({ contractProvider: { url: provider.url, timeoutMs: 5_000, authorization: 'Bearer mo-secret' } });
    expect(await client.call('Get15118EVCertificate', request())).toEqual({ status: 'Accepted', exiResponse: EXI_RESPONSE });
    expect(provider.received).toEqual([
      { body: { stationId: 'CP1', iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: EXI_REQUEST }, authorization: 'Bearer mo-secret' },
    ]);
  });

  it('forwards an Update (M02) and relays the provider’s Failed with its EXI answer for the EV', async () => {
    const client = await station({ contractProvider: { url: provider.url, timeoutMs: 5_000 } });
    provider.respond = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Failed', exiResponse: 'AAEC' }));
    expect(await client.call('Get15118EVCertificate', request('Update'))).toEqual({ status: 'Failed', exiResponse: 'AAEC', statusInfo: { reasonCode: 'ProviderFailed' } });
    expect(provider.received[0]!.body.action).toBe('Update');
    expect(provider.received[0]!.authorization).toBeUndefined();
  });

  it('answers Failed with a reason when the provider answers an HTTP error, not JSON, or an exiResponse that is not base64', async () => {
    const client = await station({ contractProvider: { url: provider.url, timeoutMs: 5_000 } });
    provider.respond = (response) => response.writeHead(503).end('maintenance');
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'ProviderError', additionalInfo: expect.stringMatching(/HTTP 503/) } });
    provider.respond = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"exiResponse": ');
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidResponse' } });
    provider.respond = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exiResponse: 'not base64 at all!' }));
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidResponse' } });
    provider.respond = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exiResponse: 'QUFB'.repeat(1401) }));
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidResponse' } });
    provider.respond = (response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'Maybe', exiResponse: 'AAEC' }));
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidResponse' } });
    expect(provider.received).toHaveLength(5);
  });

  it('answers Failed (Timeout) within the configured timeout when the provider never answers, and the station is still served', async () => {
    const client = await station({ contractProvider: { url: provider.url, timeoutMs: 300 } });
    provider.respond = () => undefined;
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'Timeout' } });
    await expect(client.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
  });

  it('answers Failed (ProviderUnavailable) when nothing listens at the provider’s address', async () => {
    const url = provider.url;
    await provider.close();
    provider = await startProvider();
    const client = await station({ contractProvider: { url, timeoutMs: 5_000 } });
    expect(await client.call('Get15118EVCertificate', request())).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'ProviderUnavailable' } });
  });
});

describe('Get15118EVCertificate without a provider', () => {
  it('answers Failed (NotConfigured) and asks nobody', async () => {
    const client = await station({});
    expect(await client.call('Get15118EVCertificate', request())).toEqual({
      status: 'Failed',
      exiResponse: '',
      statusInfo: { reasonCode: 'NotConfigured', additionalInfo: expect.stringMatching(/certificates\.contractProvider/) },
    });
    expect(provider.received).toHaveLength(0);
  });
});

describe('the configuration file’s certificates section', () => {
  it('fills in the ISO 15118 defaults and resolves v2g.ca against the configuration’s folder', () => {
    const config = parseConfig({ certificates: { contractProvider: { url: 'https://mo.example.com/15118' }, v2g: { ca: { keyFile: 'v2g-key.pem', certFile: 'v2g.pem' } } } });
    expect(config.certificates).toMatchObject({
      v2g: { enabled: true, validityDays: 365, embeddedCaName: 'ocpp-csms-core V2G sub-CA' },
      ocsp: { timeoutMs: 5_000, maxCacheEntries: 10_000, maxResponseBytes: 65_536 },
      contractProvider: { url: 'https://mo.example.com/15118', timeoutMs: 10_000 },
    });
    expect(config.certificates.v2gSigner).toBeUndefined();
    expect(resolveCertificatesConfig(config.certificates, '/etc/csms').v2g?.ca).toEqual({ keyFile: '/etc/csms/v2g-key.pem', certFile: '/etc/csms/v2g.pem' });
  });

  it('refuses a provider or signer URL that is not http(s), an unknown OCSP field, and a timeout out of range, naming the field', () => {
    const refused = (certificates: unknown, field: RegExp) => {
      let error: unknown;
      try {
        parseConfig({ certificates });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toMatch(field);
    };
    refused({ contractProvider: { url: 'ftp://mo.example.com/15118' } }, /^certificates\.contractProvider\.url$/);
    refused({ v2gSigner: { url: 'file:///tmp/sign' } }, /^certificates\.v2gSigner\.url$/);
    refused({ ocsp: { cacheSeconds: 5 } }, /^certificates\.ocsp/);
    refused({ ocsp: { timeoutMs: 10 } }, /^certificates\.ocsp\.timeoutMs$/);
  });
});
