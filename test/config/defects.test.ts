/**
 * The configuration file as a new user writes it (issue 16 items 4, 6, 8, 16): paths relative to
 * the file, the station rules shared with the CLI and the admin API, handler arguments checked at
 * load and defaulting to {}, one clear error for a quoted number, and a warning for stations no
 * listener can ever admit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import acceptAll from '../../handlers/accept-all';
import allowList from '../../handlers/allow-list';
import { resolveServerOptions } from '../../src/cli/resolve-config';
import { parseConfig, readConfigFile } from '../../src/config/load';
import { startCsmsServer } from '../../src/csms-server';
import { ConfigError } from '../../src/errors';
import { captureLogs } from '../support/log-capture';
import { writePkiFiles } from '../support/pki';

const HASH = 'scrypt$512$8$1$SPfptVZu3N6m_GwyCUNtLg$Vp1r-1RgLNlEtJotLTT0x8vq38sHuN2N0XLxChBcfhI';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-config-defects-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError resolving `json` (as a file in `dir`) ends with. */
async function refusal(json: unknown): Promise<ConfigError> {
  const error = await resolveServerOptions(parseConfig(json), join(dir, 'csms.json')).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('paths in the configuration file (issue 16 item 6)', () => {
  it('resolves TLS key, certificate and CA files against the file’s folder, not the working directory, and serves TLS with them', async () => {
    const pki = writePkiFiles();
    try {
      const path = join(pki.dir, 'csms.json');
      writeFileSync(
        path,
        JSON.stringify({
          listeners: [{ port: 0, host: '127.0.0.1', tls: { keyFile: 'server-key.pem', certFile: 'server.pem', caFile: 'ca.pem' } }],
          stations: [{ id: 'CP1', securityProfile: 2, passwordHash: HASH }],
        }),
      );
      expect(process.cwd()).not.toBe(pki.dir);
      const options = await resolveServerOptions(readConfigFile(path), path);
      expect(options.listener.endpoints[0]!.tls).toMatchObject({ keyFile: pki.keyFile, certFile: pki.certFile, caFile: pki.caFile });
      const server = await startCsmsServer(options);
      try {
        const { port } = new URL(server.addresses[0]!.url);
        const protocol = await new Promise<string | null>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(pki.caFile) }, () => {
            resolve(socket.getProtocol());
            socket.end();
          });
          socket.once('error', reject);
        });
        expect(protocol).toMatch(/^TLSv1\.[23]$/);
      } finally {
        await server.stop();
      }
    } finally {
      pki.cleanup();
    }
  });
});

describe('the station rules the CLI and the admin API apply (issue 16 item 8)', () => {
  it('refuses a password or a password hash for a profile-0 or profile-3 station', async () => {
    expect((await refusal({ stations: [{ id: 'CP1', securityProfile: 0, password: 'Secret-Password-0123' }] })).field).toBe('stations[0].password');
    const hash = await refusal({ stations: [{ id: 'CP1', securityProfile: 3, passwordHash: HASH }] });
    expect(hash.message).toBe('invalid configuration at stations[0].passwordHash: "[redacted]" (security profile 3 uses no password; leave it out)');
  });

  it('refuses an EVSE count of 0 and a list with a repeated EVSE id', async () => {
    expect(() => parseConfig({ stations: [{ id: 'CP1', securityProfile: 0, evse: 0 }] })).toThrow(/stations\[0\]\.evse: 0 .*a count \(1 to 64\)/);
    const repeated = await refusal({ stations: [{ id: 'CP1', securityProfile: 0, evse: [{ id: 1 }, { id: 1 }] }] });
    expect(repeated.message).toBe('invalid configuration at stations[0].evse[1].id: 1 (EVSE ids must be distinct)');
  });
});

describe('handler arguments in the configuration file (issue 16 item 4)', () => {
  it('stops the start naming a misspelled or missing allow-list idTokens', async () => {
    const misspelled = await refusal({ stations: [{ id: 'CP1', securityProfile: 0, handler: 'allow-list', handlerArgs: { idToken: ['A'] } }] });
    expect(misspelled.field).toBe('stations[0].handlerArgs.idToken');
    const missing = await refusal({ defaults: { handler: 'allow-list' }, stations: [{ id: 'CP1', securityProfile: 0 }] });
    expect(missing.field).toBe('defaults.handlerArgs.idTokens');
  });

  it('defaults handlerArgs to {} and gives the defaults’ arguments only to stations running the defaults’ handler', async () => {
    const config = parseConfig({
      defaults: { handler: 'allow-list', handlerArgs: { idTokens: ['A'] } },
      stations: [
        { id: 'CP1', securityProfile: 0 },
        { id: 'CP2', securityProfile: 0, handler: 'accept-all' },
      ],
    });
    const options = await resolveServerOptions(config, join(dir, 'csms.json'));
    expect(options.stations!.map((s) => [s.id, s.registration.handler, s.registration.handlerArgs])).toEqual([
      ['CP1', allowList, { idTokens: ['A'] }],
      ['CP2', acceptAll, {}],
    ]);
    expect(parseConfig({}).defaults.handlerArgs).toEqual({});
  });
});

describe('configuration messages and warnings (issue 16 item 16)', () => {
  it('answers "securityProfile": "1" with one error that lists the allowed values and says a number is wanted', () => {
    expect(() => parseConfig({ stations: [{ id: 'CP1', securityProfile: '1' }] })).toThrow(
      /^invalid configuration at stations\[0\]\.securityProfile: "1" \(allowed: 0, 1, 2, 3 \(a number, not a string\)/,
    );
  });

  it('warns about a profile-3 station in a configuration without a TLS listener, and a profile-2 one too', async () => {
    const logs = captureLogs('warn');
    try {
      await resolveServerOptions(
        parseConfig({ stations: [{ id: 'CP3', securityProfile: 3 }, { id: 'CP2', securityProfile: 2, passwordHash: HASH }, { id: 'CP0', securityProfile: 0 }] }),
        join(dir, 'csms.json'),
      );
      const lines = logs.lines.filter((line) => String(line.message).startsWith('station can never connect'));
      expect(lines.map((line) => [line.level, line.station, line.field])).toEqual([
        ['warn', 'CP3', 'stations[0].securityProfile'],
        ['warn', 'CP2', 'stations[1].securityProfile'],
      ]);
    } finally {
      logs.restore();
    }
  });
});
