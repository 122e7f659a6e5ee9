/**
 * TLS listeners over real sockets on 127.0.0.1 (issue 11 item 4): an RSA and an ECDSA server
 * certificate at once, the cipher suites the OCPP 2.0.1 security profiles require (Part 6
 * TC_A_01/02_CSMS tool validations: TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM and
 * TLS_RSA_WITH_AES_128/256_GCM), TLS 1.2 as the floor, and the certificate files reloaded without
 * a restart through the admin API (`POST /api/tls/reload`; SIGHUP calls the same reloader, see
 * serve-security.test.ts). Stations are ocpp-rpc clients (strict) with the TLS options under test.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { ConfigError } from '../../src/errors';
import { hashPassword } from '../../src/server/credentials';
import { OCPP_TLS_CIPHERS, TlsReloader, loadTls } from '../../src/server/tls';
import { api } from '../admin/harness';
import { testPki } from '../support/pki';
import { issueServerPair, writePair, type ServerPair } from './support/server-certificates';

const PASSWORD = 'Tls-Listener-Pass-0123';
const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };
const pki = testPki();

let dir: string;
let rsa: ServerPair;
let ec: ServerPair;
let rsaFiles: { certFile: string; keyFile: string };
let ecFiles: { certFile: string; keyFile: string };
let caFile: string;
let server: CsmsServer;
let admin: AdminServer;
let base: string;
let port: number;
const reloader = new TlsReloader();
const clients: RPCClient[] = [];

// Key generation and TLS handshakes on a shared, loaded machine: generous bounds.
jest.setTimeout(60_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'csms-tls-'));
  [rsa, ec] = await Promise.all([issueServerPair(pki.ca, 'rsa'), issueServerPair(pki.ca, 'ec')]);
  rsaFiles = writePair(dir, 'server-rsa', rsa);
  ecFiles = writePair(dir, 'server-ec', ec);
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  server = await startCsmsServer({
    core: { name: `tls-${randomBytes(3).toString('hex')}` },
    listener: {
      endpoints: [{ port: 0, host: '127.0.0.1', tls: { ...rsaFiles, certificates: [ecFiles], caFile, clientCertificates: 'optional' } }],
      pingIntervalMs: 0,
      tlsReloader: reloader,
    },
    stations: [{ id: 'TLS1', registration: { handler: acceptAll, securityProfile: 2, passwordHash: await hashPassword(PASSWORD) } }],
  });
  port = server.addresses[0]!.port;
  admin = createAdminServer(server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => acceptAll, tlsReloader: reloader });
  base = `http://127.0.0.1:${(await admin.listen()).port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ code: 1000, force: true }).catch(() => undefined)));
  await admin?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Handshake {
  readonly cipher?: string;
  readonly protocol?: string | null;
  readonly certificate?: PeerCertificate;
  readonly error?: string;
}

/** A bare TLS handshake with the listener: what was negotiated, or the client's error code. */
function handshake(options: ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, servername: 'localhost', ...options }, () => {
      resolve({ cipher: socket.getCipher().name, protocol: socket.getProtocol(), certificate: socket.getPeerCertificate() });
      socket.destroy();
    });
    socket.on('error', (error: Error & { code?: string }) => resolve({ error: error.code ?? error.message }));
  });
}

/** A strict ocpp-rpc station at profile 2 over wss:// with the given TLS options. */
function station(wsOpts: ConnectionOptions): RPCClient {
  const client = new RPCClient({
    endpoint: server.addresses[0]!.url,
    identity: 'TLS1',
    password: PASSWORD,
    protocols: ['ocpp2.0.1'],
    strictMode: true,
    reconnect: false,
    wsOpts: { ca: pki.ca.cert, servername: 'localhost', ...wsOpts },
  } as never);
  clients.push(client);
  return client;
}

async function bootOver(wsOpts: ConnectionOptions): Promise<void> {
  const client = station(wsOpts);
  await client.connect();
  expect(await client.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  await client.close({ code: 1000 });
}

describe('cipher suites and server certificates', () => {
  // TLS 1.2 static RSA (TLS_RSA_WITH_AES_*_GCM) is answered with the RSA certificate, ECDHE-ECDSA with the P-256 one.
  it.each([
    { cipher: 'AES128-GCM-SHA256', kind: 'RSA' },
    { cipher: 'AES256-GCM-SHA384', kind: 'RSA' },
    { cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', kind: 'ECDSA' },
    { cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', kind: 'ECDSA' },
  ] as const)('serves the $kind certificate to a TLS 1.2 client offering only $cipher, and a station boots over it', async ({ cipher, kind }) => {
    const result = await handshake({ ciphers: cipher, maxVersion: 'TLSv1.2' });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ cipher, protocol: 'TLSv1.2' });
    expect(result.certificate!.serialNumber).toBe((kind === 'RSA' ? rsa : ec).serial);
    expect(result.certificate!.asn1Curve).toBe(kind === 'RSA' ? undefined : 'prime256v1');
    await bootOver({ ciphers: cipher, maxVersion: 'TLSv1.2' });
  });

  it('prefers a forward-secret ECDHE suite when the client offers it besides static RSA', async () => {
    const result = await handshake({ ciphers: 'AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    expect(result.cipher).toBe('ECDHE-RSA-AES128-GCM-SHA256');
  });

  it.each([
    ['ecdsa_secp256r1_sha256', 'ec'],
    ['rsa_pss_rsae_sha256', 'rsa'],
  ])('picks by the signature algorithms of a TLS 1.3 client: %s gets the %s certificate', async (sigalgs, keyType) => {
    const result = await handshake({ minVersion: 'TLSv1.3', sigalgs });
    expect(result).toMatchObject({ protocol: 'TLSv1.3' });
    expect(result.certificate!.serialNumber).toBe(keyType === 'ec' ? ec.serial : rsa.serial);
  });

  it('negotiates TLS 1.3 with a client that offers it', async () => {
    expect(await handshake({})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  it('refuses a TLS 1.1 client in the handshake (TC_A_06_CSMS)', async () => {
    const result = await handshake({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(result.error).toMatch(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION|ECONNRESET/);
  });

  it('refuses a client that offers only a CBC suite outside the OCPP list', async () => {
    const result = await handshake({ ciphers: 'ECDHE-RSA-AES128-SHA', maxVersion: 'TLSv1.2' });
    expect(result.error).toBeDefined();
    expect(result.cipher).toBeUndefined();
  });

  it('lists what each TLS listener serves, by key type', async () => {
    const answer = await api(base, 'GET', '/api/tls');
    expect(answer.status).toBe(200);
    expect(answer.body.listeners).toEqual([
      expect.objectContaining({
        listener: 'listeners[0].tls',
        port,
        status: 'serving',
        certificates: [
          expect.objectContaining({ keyType: 'rsa', serialNumber: rsa.serial, subject: 'CN=localhost' }),
          expect.objectContaining({ keyType: 'ec', serialNumber: ec.serial }),
        ],
      }),
    ]);
  });
});

describe('a listener with only one certificate', () => {
  let only: Server;
  let onlyPort: number;
  beforeAll(async () => {
    only = createHttpsServer(loadTls({ ...rsaFiles }).options, (_req, res) => res.end());
    await new Promise<void>((resolve) => only.listen(0, '127.0.0.1', resolve));
    onlyPort = (only.address() as AddressInfo).port;
  });
  afterAll(async () => {
    only.closeAllConnections();
    await new Promise((resolve) => only.close(resolve));
  });

  it('cannot serve a client that offers only ECDSA suites: the second certificate is what makes it work', async () => {
    const result = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: onlyPort, ca: pki.ca.cert, servername: 'localhost', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }, () => {
        resolve('connected');
        socket.destroy();
      });
      socket.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
    });
    expect(result).not.toBe('connected');
  });
});

describe('the TLS configuration', () => {
  it('serves the OCPP suites by default', () => {
    expect(loadTls({ ...rsaFiles }).options.ciphers).toBe(OCPP_TLS_CIPHERS);
    for (const suite of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384']) {
      expect(OCPP_TLS_CIPHERS.split(':')).toContain(suite);
    }
  });

  it('gives OpenSSL every pair when several are configured, with TLS 1.2 as the floor', () => {
    const { options, certificates } = loadTls({ ...rsaFiles, certificates: [ecFiles] });
    expect(options.minVersion).toBe('TLSv1.2');
    expect(options.cert).toEqual([rsa.cert, ec.cert]);
    expect(options.key).toEqual([{ pem: rsa.key }, { pem: ec.key }]);
    expect(certificates.map((c) => c.keyType)).toEqual(['rsa', 'ec']);
  });

  it('accepts certificates alone, without keyFile and certFile', () => {
    expect(loadTls({ certificates: [ecFiles, rsaFiles] }).certificates.map((c) => c.serialNumber)).toEqual([ec.serial, rsa.serial]);
  });

  it('refuses two certificates of one key type, naming the second (OpenSSL would keep only one)', () => {
    const error = catchConfigError(() => loadTls({ ...rsaFiles, certificates: [ecFiles, rsaFiles] }, 'listeners[2].tls'));
    expect(error.field).toBe('listeners[2].tls.certificates[1].certFile');
    expect(error.message).toContain('one certificate per key type');
  });

  it('refuses a pair whose key is not the certificate’s, naming the pair’s key field', () => {
    const error = catchConfigError(() => loadTls({ ...rsaFiles, certificates: [{ certFile: ecFiles.certFile, keyFile: rsaFiles.keyFile }] }));
    expect(error.field).toBe('tls.certificates[0].keyFile');
  });

  it('reads an encrypted key of an extra pair with its passphrase, and names the pair’s fields when the passphrase is wrong', () => {
    const encrypted = join(dir, 'server-ec-key-encrypted.pem');
    writeFileSync(encrypted, createPrivateKey(ec.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }));
    const { options } = loadTls({ ...rsaFiles, certificates: [{ certFile: ecFiles.certFile, keyFile: encrypted, passphrase: 'correct horse' }] });
    expect(options.key).toEqual([{ pem: rsa.key }, { pem: expect.stringContaining('ENCRYPTED PRIVATE KEY'), passphrase: 'correct horse' }]);
    const error = catchConfigError(() => loadTls({ ...rsaFiles, certificates: [{ certFile: ecFiles.certFile, keyFile: encrypted, passphrase: 'wrong' }] }));
    expect(error.field).toBe('tls.certificates[0].keyFile / tls.certificates[0].passphrase');
  });

  it('refuses a cipher list OpenSSL knows nothing of', () => {
    expect(catchConfigError(() => loadTls({ ...rsaFiles, ciphers: 'NO-SUCH-CIPHER' })).field).toBe('tls.ciphers');
  });

  it('refuses a configuration with no server certificate at all', () => {
    expect(catchConfigError(() => loadTls({ caFile })).field).toBe('tls.certFile');
  });
});

describe('reloading the certificate files without a restart', () => {
  // Last in this file: it replaces the files the other tests read.
  it('serves a new RSA certificate to new connections after POST /api/tls/reload, keeping open ones', async () => {
    const open = station({});
    await open.connect();
    await open.call('BootNotification', BOOT);

    const renewed = await issueServerPair(pki.ca, 'rsa');
    writePair(dir, 'server-rsa', renewed);
    const before = await handshake({ ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    expect(before.certificate!.serialNumber).toBe(rsa.serial);

    const answer = await api(base, 'POST', '/api/tls/reload');
    expect(answer.status).toBe(200);
    expect(answer.body.listeners).toEqual([
      expect.objectContaining({ status: 'reloaded', certificates: [expect.objectContaining({ serialNumber: renewed.serial }), expect.objectContaining({ serialNumber: ec.serial })] }),
    ]);
    const after = await handshake({ ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' });
    expect(after.certificate!.serialNumber).toBe(renewed.serial);
    // The ECDSA pair was read again too, unchanged.
    expect((await handshake({ ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).certificate!.serialNumber).toBe(ec.serial);
    // The station connected before the reload keeps its connection.
    expect(await open.call('Heartbeat', {})).toHaveProperty('currentTime');
    await open.close({ code: 1000 });
    rsa = renewed;
  });

  it('keeps the old certificate when the new file is not a certificate, and says which file and why', async () => {
    writeFileSync(rsaFiles.certFile, 'this is not PEM');
    const answer = await api(base, 'POST', '/api/tls/reload');
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'tls_reload_failed' });
    expect(answer.body.error.message).toContain('listeners[0].tls.certFile');
    expect(answer.body.error.listeners).toEqual([
      expect.objectContaining({ status: 'kept', reason: expect.stringContaining('listeners[0].tls.certFile'), certificates: [expect.objectContaining({ serialNumber: rsa.serial }), expect.anything()] }),
    ]);
    expect((await handshake({ ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).certificate!.serialNumber).toBe(rsa.serial);
    await bootOver({});
  });

  it('keeps the old certificate when the new key does not belong to the new certificate', async () => {
    const other = await issueServerPair(pki.ca, 'rsa');
    writeFileSync(rsaFiles.certFile, other.cert); // the key file still holds the previous key
    const outcome = reloader.reload();
    expect(outcome).toEqual([expect.objectContaining({ status: 'kept', reason: expect.stringContaining('listeners[0].tls.keyFile') })]);
    expect((await handshake({ ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).certificate!.serialNumber).toBe(rsa.serial);
    // Fixed files are taken at the next reload.
    writePair(dir, 'server-rsa', other);
    expect(reloader.reload()).toEqual([expect.objectContaining({ status: 'reloaded' })]);
    expect((await handshake({ ciphers: 'AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).certificate!.serialNumber).toBe(other.serial);
  });

  it('answers 409 when the server has no TLS listener to reload', async () => {
    const bare = createAdminServer(server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => acceptAll, tlsReloader: new TlsReloader() });
    const { port: barePort } = await bare.listen();
    try {
      const answer = await api(`http://127.0.0.1:${barePort}`, 'POST', '/api/tls/reload');
      expect(answer.status).toBe(409);
      expect(answer.body.error.message).toContain('no TLS listener');
    } finally {
      await bare.close();
    }
  });
});

function catchConfigError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
