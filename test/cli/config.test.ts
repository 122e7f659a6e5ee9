/**
 * The configuration file: schema validation with errors naming the field, the value and what is
 * allowed; defaults filled from the schema; the embedded default configuration.
 */
import { join } from 'node:path';
import { ConfigError } from '../../src/errors';
import { parseConfig, readConfigFile } from '../../src/config/load';

function errorOf(json: unknown): ConfigError {
  try {
    parseConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills every default of an empty file', () => {
    const config = parseConfig({});
    expect(config.listeners).toEqual([{ port: 9000, host: '0.0.0.0' }]);
    expect(config.server).toMatchObject({ pathPrefix: '/ocpp', allowUnknownStations: false, maxPayloadBytes: 65536, pingIntervalMs: 30000, perMessageDeflate: false });
    expect(config.core).toMatchObject({ callTimeoutMs: 30000, queueLimit: 100, badFrameLimit: { count: 20, periodMs: 10000 } });
    expect(config.defaults).toMatchObject({ handler: 'standard', securityProfile: 1, evse: 1 });
    expect(config.supervision.station).toEqual({ strategy: 'rest_for_one', intensity: 3, period: 5 });
    expect(config.logging).toEqual({ level: 'info', format: 'auto' });
    expect(config.stations).toEqual([]);
  });

  it('names an unknown field and lists the allowed ones', () => {
    const error = errorOf({ server: { pingInterval: 5 } });
    expect(error.field).toBe('server.pingInterval');
    expect(error.message).toMatch(/unknown field; allowed: .*pingIntervalMs/);
  });

  it('names a station field with its index, the value and the allowed values', () => {
    const error = errorOf({ stations: [{ id: 'CP1' }, { id: 'CP2', securityProfile: 4 }] });
    expect(error.field).toBe('stations[1].securityProfile');
    expect(error.value).toBe(4);
    expect(error.message).toMatch(/allowed: 0, 1, 2, 3/);
  });

  it('refuses an identity longer than 48 characters or outside identifierString', () => {
    expect(errorOf({ stations: [{ id: 'A'.repeat(49) }] }).field).toBe('stations[0].id');
    expect(errorOf({ stations: [{ id: 'CP 1' }] }).field).toBe('stations[0].id');
  });

  it('refuses a port out of range with the limit', () => {
    const error = errorOf({ listeners: [{ port: 70000 }] });
    expect(error.field).toBe('listeners[0].port');
    expect(error.message).toMatch(/<= 65535/);
  });

  it('refuses a listener without a port', () => {
    expect(errorOf({ listeners: [{ host: '127.0.0.1' }] }).field).toBe('listeners[0].port');
  });

  it('refuses an evse that is neither a count nor a list', () => {
    const error = errorOf({ stations: [{ id: 'CP1', evse: 'two' }] });
    expect(error.field).toBe('stations[0].evse');
  });

  it('refuses a plain password breaking the 16-40 rule without showing it', () => {
    const error = errorOf({ stations: [{ id: 'CP1', password: 'short-secret' }] });
    expect(error.field).toBe('stations[0].password');
    expect(error.message).not.toContain('short-secret');
  });

  it('refuses duplicate station identities', () => {
    expect(errorOf({ stations: [{ id: 'CP1' }, { id: 'CP1' }] }).field).toBe('stations[1].id');
  });

  it('refuses a supervision strategy the stations level cannot have', () => {
    expect(errorOf({ supervision: { stations: { strategy: 'one_for_one' } } }).field).toBe('supervision.stations.strategy');
  });
});

describe('the embedded default configuration', () => {
  it('is valid: one listener on port 9000, the standard CSMS handler, demo stations with stored hashes', () => {
    const config = readConfigFile(join(__dirname, '../../config/default.json'));
    expect(config.listeners[0]!.port).toBe(9000);
    expect(config.defaults.handler).toBe('standard');
    expect(config.stations.map((s) => s.id)).toEqual(expect.arrayContaining(['CP001', 'CP002', 'CP003']));
    for (const station of config.stations) expect(station.password).toBeUndefined();
  });
});

describe('secrets in configuration errors', () => {
  const message = (json: unknown): string => errorOf(json).message;

  it('never shows an admin token, a password hash or the value of an unknown (misspelled) field', () => {
    const token = message({ admin: { enabled: true, token: 'short-secret' } });
    expect(token).toContain('admin.token');
    expect(token).not.toContain('short-secret');
    const hash = message({ stations: [{ id: 'CP1', passwordHash: 'not-a-hash-but-secret' }] });
    expect(hash).toContain('passwordHash');
    expect(hash).not.toContain('not-a-hash-but-secret');
    const misspelled = message({ stations: [{ id: 'CP1', pasword: 'My-Secret-Password-123' }] });
    expect(misspelled).not.toContain('My-Secret-Password-123');
    expect(misspelled).toContain('pasword');
  });
});
