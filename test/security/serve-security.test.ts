/**
 * `ocpp-csms` as an operator runs it, with the issue 11 settings in its configuration file: a TLS
 * listener with an RSA and an ECDSA certificate (`certificates`), the `security` section, and the
 * certificate files reloaded on SIGHUP without a restart (a broken file keeps the old ones); then
 * the section's validation and how its throttle settings reach the listener.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type PeerCertificate } from 'node:tls';
import { RPCClient } from 'ocpp-rpc';
import { resolveServerOptions } from '../../src/cli/resolve-config';
import { parseConfig } from '../../src/config/load';
import { authenticationThrottleOptions, DEFAULT_SECURITY_SECTION } from '../../src/config/security';
import { ConfigError } from '../../src/errors';
import { api } from '../admin/harness';
import { logLineOf, runCli, waitForOutput, type Run } from '../support/cli-process';
import { testPki } from '../support/pki';
import { issueServerPair, writePair } from './support/server-certificates';

const PASSWORD = 'Serve-Station-Pass-0123';
const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };
const pki = testPki();

// A child process started from source on a shared, loaded machine.
jest.setTimeout(180_000);

describe('ocpp-csms with two server certificates and the security section', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csms-serve-tls-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function peer(port: number, ciphers: string): Promise<PeerCertificate> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca.cert, servername: 'localhost', ciphers, maxVersion: 'TLSv1.2' }, () => {
        resolve(socket.getPeerCertificate());
        socket.destroy();
      });
      socket.on('error', reject);
    });
  }

  it('serves both certificates, and reloads the files on SIGHUP, keeping the old ones when a file is broken', async () => {
    const [rsa, ec, renewed] = await Promise.all([issueServerPair(pki.ca, 'rsa'), issueServerPair(pki.ca, 'ec'), issueServerPair(pki.ca, 'rsa')]);
    writePair(dir, 'server-rsa', rsa);
    writePair(dir, 'server-ec', ec);
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
    const config = join(dir, 'csms.json');
    writeFileSync(
      config,
      JSON.stringify({
        listeners: [
          {
            port: 0,
            host: '127.0.0.1',
            // Paths relative to the configuration file, as an operator writes them.
            tls: { keyFile: 'server-rsa-key.pem', certFile: 'server-rsa.pem', certificates: [{ keyFile: 'server-ec-key.pem', certFile: 'server-ec.pem' }], caFile: 'ca.pem' },
          },
        ],
        storage: { driver: 'memory' },
        stations: [{ id: 'CP2', securityProfile: 2, password: PASSWORD }],
        admin: { enabled: true, host: '127.0.0.1', port: 0 },
        security: {
          authenticationThrottle: { freeFailures: 3 },
          certificateRenewal: { daysBeforeExpiry: 10 },
          profileUpgrade: { ocppCsmsUrl: 'wss://csms.example.com:9443/ocpp', csmsRootCertificateFile: 'ca.pem' },
        },
      }),
    );
    const server: Run = runCli(['--config', config]);
    try {
      await waitForOutput(server, /"message":"CSMS started"/);
      const url = (logLineOf(server, 'CSMS started').endpoints as string[])[0]!;
      const port = Number(new URL(url).port);
      const adminBase = `http://127.0.0.1:${logLineOf(server, 'admin API listening').port as number}`;
      expect((await peer(port, 'AES128-GCM-SHA256')).serialNumber).toBe(rsa.serial);
      expect((await peer(port, 'ECDHE-ECDSA-AES256-GCM-SHA384')).serialNumber).toBe(ec.serial);
      const station = new RPCClient({ endpoint: url, identity: 'CP2', password: PASSWORD, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false, wsOpts: { ca: pki.ca.cert, servername: 'localhost' } } as never);
      await station.connect();
      expect(await station.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
      await station.close();

      writePair(dir, 'server-rsa', renewed);
      server.child.kill('SIGHUP');
      await waitForOutput(server, /"message":"TLS certificates reloaded"/);
      expect((await peer(port, 'AES128-GCM-SHA256')).serialNumber).toBe(renewed.serial);
      // The admin API reaches the same reloader, and shows what is served.
      const served = await api(adminBase, 'GET', '/api/tls');
      expect(served.body.listeners[0].certificates.map((c: { serialNumber: string }) => c.serialNumber)).toEqual([renewed.serial, ec.serial]);
      // The upgrade takes its URL from the file: with none in the request, CP2 (now offline) gets as far as its first call.
      const upgrade = await api(adminBase, 'POST', '/api/stations/CP2/upgrade-profile', { targetProfile: 3 });
      expect(upgrade.status).toBe(409);
      expect(upgrade.body.error).toMatchObject({ code: 'profile_upgrade_failed', step: 'sign', report: { failure: 'offline' } });

      writeFileSync(join(dir, 'server-rsa.pem'), 'not a certificate');
      server.child.kill('SIGHUP');
      await waitForOutput(server, /"message":"TLS reload refused; the listener keeps its previous certificates"/);
      expect(logLineOf(server, 'TLS reload refused; the listener keeps its previous certificates').reason).toContain('listeners[0].tls.certFile');
      expect((await peer(port, 'AES128-GCM-SHA256')).serialNumber).toBe(renewed.serial);
      expect((await api(adminBase, 'POST', '/api/tls/reload')).status).toBe(422);
      // The renewal timer ran its first check at start, on this store, without error.
      expect(server.output()).not.toContain('certificate renewal: the certificates in use could not be read');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });
});

describe('the security section', () => {
  const handshakeTimeoutMs = 10_000;

  it('defaults to throttling on, 5 failures per identity, 20 per address, a 15-minute window', () => {
    const config = parseConfig({});
    expect(config.security).toEqual(DEFAULT_SECURITY_SECTION);
    expect(authenticationThrottleOptions(config.security, handshakeTimeoutMs)).toMatchObject({ freeFailures: 5, freeFailuresPerAddress: 20, windowMs: 900_000, baseDelayMs: 1000 });
  });

  it('gives the listener the throttle settings of the file', async () => {
    const config = parseConfig({
      security: { authenticationThrottle: { freeFailures: 2, freeFailuresPerAddress: 50, baseDelayMs: 250, maxBackoffMs: 8000, maxDelayMs: 1000, windowMs: 60_000, maxKeys: 500 } },
    });
    const options = await resolveServerOptions(config, join(tmpdir(), 'csms.json'));
    expect(options.listener.authenticationThrottle).toEqual({ freeFailures: 2, freeFailuresPerAddress: 50, baseDelayMs: 250, maxBackoffMs: 8000, maxDelayMs: 1000, windowMs: 60_000, maxKeys: 500 });
  });

  it('turns the throttle off with enabled: false', async () => {
    const options = await resolveServerOptions(parseConfig({ security: { authenticationThrottle: { enabled: false } } }), join(tmpdir(), 'csms.json'));
    expect(options.listener.authenticationThrottle).toBe(false);
  });

  it('refuses a held-back refusal as long as the handshake timeout (the station would see 503, not 401)', async () => {
    const config = parseConfig({ server: { handshakeTimeoutMs: 2000 }, security: { authenticationThrottle: { maxDelayMs: 2000 } } });
    await expect(resolveServerOptions(config, join(tmpdir(), 'csms.json'))).rejects.toMatchObject({ field: 'security.authenticationThrottle.maxDelayMs' });
  });

  it('refuses a longest back-off shorter than the first', () => {
    const config = parseConfig({ security: { authenticationThrottle: { baseDelayMs: 5000, maxBackoffMs: 1000 } } });
    expect(() => authenticationThrottleOptions(config.security, handshakeTimeoutMs)).toThrow(ConfigError);
  });

  it.each([
    [{ authenticationThrottle: { freeFailures: 0 } }, 'security.authenticationThrottle.freeFailures'],
    [{ authenticationThrottle: { windowMs: 10 } }, 'security.authenticationThrottle.windowMs'],
    [{ authenticationThrottle: { perAddress: 3 } }, 'security.authenticationThrottle.perAddress'],
    [{ certificateRenewal: { daysBeforeExpiry: 0 } }, 'security.certificateRenewal.daysBeforeExpiry'],
    [{ profileUpgrade: { ocppCsmsUrl: 'ws://csms.example.com/ocpp' } }, 'security.profileUpgrade.ocppCsmsUrl'],
  ])('refuses %j naming the field', (security, field) => {
    let error: unknown;
    try {
      parseConfig({ security });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
  });

  it('refuses a TLS listener with neither keyFile and certFile nor certificates', () => {
    expect(() => parseConfig({ listeners: [{ port: 0, tls: { caFile: 'ca.pem' } }] })).toThrow(/listeners\[0\]\.tls/);
  });
});
