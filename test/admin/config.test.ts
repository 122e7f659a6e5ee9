/**
 * The `admin` configuration section: defaults, loopback detection, and the refusal to expose
 * the API to the network without a bearer token.
 */
import Ajv from 'ajv';
import { ADMIN_CONFIG_SCHEMA, ADMIN_DEFAULTS, isLoopbackHost, resolveAdminConfig } from '../../src/admin';
import { ConfigError } from '../../src/errors';

describe('resolveAdminConfig', () => {
  it('fills the defaults: disabled, 127.0.0.1, port 9001, no token', () => {
    expect(resolveAdminConfig({})).toEqual({ enabled: false, host: '127.0.0.1', port: 9001 });
    expect(ADMIN_DEFAULTS).toEqual({ enabled: false, host: '127.0.0.1', port: 9001 });
  });

  it('refuses a non-loopback host without a token, naming admin.token and the host', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'csms.example.com']) {
      expect(() => resolveAdminConfig({ host })).toThrow(ConfigError);
      expect(() => resolveAdminConfig({ host })).toThrow(new RegExp(`admin\\.token.*${host.replace(/\./g, '\\.')}`));
    }
  });

  it('accepts a non-loopback host with a token of at least 16 characters, and refuses a shorter one without echoing it', () => {
    expect(resolveAdminConfig({ host: '0.0.0.0', token: 'a'.repeat(16) })).toMatchObject({ host: '0.0.0.0', token: 'a'.repeat(16) });
    expect(() => resolveAdminConfig({ host: '0.0.0.0', token: 'short-token' })).toThrow(ConfigError);
    expect(() => resolveAdminConfig({ host: '0.0.0.0', token: 'short-token' })).toThrow(/admin\.token/);
    // Refused on loopback too (a short token is a mistake wherever it is), and never echoed.
    let refusal: unknown;
    try {
      resolveAdminConfig({ token: 'short-token' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).message).toMatch(/admin\.token/);
    expect((refusal as ConfigError).message).not.toContain('short-token');
  });

  it('refuses a port out of range and a host that is not a string', () => {
    expect(() => resolveAdminConfig({ port: 70000 })).toThrow(/admin\.port/);
    expect(() => resolveAdminConfig({ port: 1.5 })).toThrow(/admin\.port/);
    expect(() => resolveAdminConfig({ host: '' })).toThrow(/admin\.host/);
  });
});

describe('isLoopbackHost', () => {
  it('counts 127.0.0.0/8, ::1 and localhost as loopback, and nothing else', () => {
    for (const host of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.1', '128.0.0.1', 'localhost.example.com']) expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('ADMIN_CONFIG_SCHEMA', () => {
  const validate = new Ajv({ strict: true }).compile(ADMIN_CONFIG_SCHEMA);

  it('accepts a full section and an empty one', () => {
    expect(validate({ enabled: true, host: '0.0.0.0', port: 9001, token: 'x'.repeat(32) })).toBe(true);
    expect(validate({})).toBe(true);
  });

  it('rejects unknown properties, a port out of range and a short token', () => {
    expect(validate({ enabled: true, colour: 'red' })).toBe(false);
    expect(validate({ port: 65536 })).toBe(false);
    expect(validate({ token: 'short' })).toBe(false);
  });
});
