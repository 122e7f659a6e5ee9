/**
 * wss:// beside ws:// (security profiles 2 and 3), with a PKI generated at test time:
 * Basic auth over TLS, client certificates whose CN must be the identity, an untrusted CA,
 * TLS older than 1.2 refused, and the profile-downgrade rules across both ports.
 */
import { RPCClient } from 'ocpp-rpc';
import { testPki, writePkiFiles, type PkiFiles } from '../support/pki';
import { FramePeer, PASSWORD, basicAuth, startTestServer, station, upgradeStatus, type TestServer } from './listener-harness';

let files: PkiFiles;
let server: TestServer;
let wsUrl: string;
let wssUrl: string;
const pki = testPki();

beforeAll(async () => {
  files = writePkiFiles(pki);
  server = await startTestServer({
    stations: [
      await station('P1'),
      await station('P2', { securityProfile: 2 }),
      await station('P3', { securityProfile: 3 }),
    ],
    listener: {
      endpoints: [
        { port: 0, host: '127.0.0.1' },
        { port: 0, host: '127.0.0.1', tls: { keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile, clientCertificates: 'optional' } },
      ],
    },
  });
  wsUrl = server.addresses.find((a) => a.scheme === 'ws')!.url;
  wssUrl = server.addresses.find((a) => a.scheme === 'wss')!.url;
});

afterAll(async () => {
  await server.stop();
  files.cleanup();
});

const trust = { ca: pki.ca.cert };

describe('ws:// and wss:// side by side', () => {
  it('listens on two ports, one of each scheme', () => {
    expect(server.addresses.map((a) => a.scheme).sort()).toEqual(['ws', 'wss']);
    expect(server.addresses[0]!.port).not.toBe(server.addresses[1]!.port);
  });

  it('serves a profile-2 station with Basic auth over TLS to an ocpp-rpc strict client', async () => {
    const cli = new RPCClient({
      endpoint: wssUrl,
      identity: 'P2',
      password: PASSWORD,
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: false,
      wsOpts: trust,
    } as never);
    await cli.connect();
    const boot = (await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })) as { status: string };
    expect(boot.status).toBe('Accepted');
    await cli.close({ code: 1000 });
  });

  it('accepts a profile-1 station on wss:// (a higher profile than registered)', async () => {
    expect((await upgradeStatus(wssUrl, 'P1', { ws: trust })).status).toBe(101);
  });

  it('refuses a profile-2 station on ws:// with 403', async () => {
    expect((await upgradeStatus(wsUrl, 'P2')).status).toBe(403);
  });

  it('refuses a profile-2 station with a wrong password over TLS with 401', async () => {
    expect((await upgradeStatus(wssUrl, 'P2', { ws: trust, headers: { Authorization: basicAuth('P2', 'Wrong-Password-00000') } })).status).toBe(401);
  });
});

describe('profile 3: client certificates', () => {
  it('accepts a certificate from the trusted CA whose CN is the identity, without a password', async () => {
    const cert = pki.ca.issueClient('P3');
    const peer = await FramePeer.open(wssUrl, 'P3', { headers: {}, ws: { ...trust, cert: cert.cert, key: cert.key } });
    await peer.boot();
    peer.close();
  });

  it('refuses a trusted certificate naming another station with 403', async () => {
    const cert = pki.ca.issueClient('SOMEONE-ELSE');
    expect((await upgradeStatus(wssUrl, 'P3', { headers: {}, ws: { ...trust, cert: cert.cert, key: cert.key } })).status).toBe(403);
  });

  it('refuses a certificate from an untrusted CA with 403', async () => {
    const cert = pki.untrustedClient('P3');
    expect((await upgradeStatus(wssUrl, 'P3', { headers: {}, ws: { ...trust, cert: cert.cert, key: cert.key } })).status).toBe(403);
  });

  it('refuses a profile-3 station that presents no certificate with 403, even with a password', async () => {
    expect((await upgradeStatus(wssUrl, 'P3', { ws: trust, headers: { Authorization: basicAuth('P3') } })).status).toBe(403);
  });
});

describe('TLS versions', () => {
  it('refuses a TLS 1.1 handshake with an alert, before any HTTP', async () => {
    await expect(upgradeStatus(wssUrl, 'P2', { ws: { ...trust, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } })).rejects.toThrow(
      /version|protocol|alert|handshake/i,
    );
  });

  it('accepts TLS 1.3', async () => {
    expect((await upgradeStatus(wssUrl, 'P2', { ws: { ...trust, minVersion: 'TLSv1.3' } })).status).toBe(101);
  });
});

describe('a listener requiring client certificates', () => {
  it('ends the TLS handshake of a station with an untrusted certificate before any HTTP', async () => {
    const strict = await startTestServer({
      stations: [await station('P3R', { securityProfile: 3 })],
      listener: { endpoints: [{ port: 0, host: '127.0.0.1', tls: { keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile, clientCertificates: 'required' } }] },
    });
    try {
      const untrusted = pki.untrustedClient('P3R');
      await expect(upgradeStatus(strict.url, 'P3R', { headers: {}, ws: { ...trust, cert: untrusted.cert, key: untrusted.key } })).rejects.toThrow();
      const good = pki.ca.issueClient('P3R');
      expect((await upgradeStatus(strict.url, 'P3R', { headers: {}, ws: { ...trust, cert: good.cert, key: good.key } })).status).toBe(101);
    } finally {
      await strict.stop();
    }
  });
});
