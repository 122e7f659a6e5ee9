/**
 * The configuration of what this part of the server does with the store: the store child's probe
 * (`storage.probeIntervalMs`, `storage.probeMaxBackoffMs`) and the security events' retention
 * (`securityEvents`), with their documented defaults, and refused when out of range.
 */
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { standardCsmsConfig } from '../../src/services/config';

describe('storage probe and security events retention in the configuration file', () => {
  it('defaults to a probe every 10 s, backoff up to 30 s, and 100 000 events kept for 365 days, pruned every 1000', () => {
    const config = parseConfig({});
    expect(config.storage).toMatchObject({ probeIntervalMs: 10_000, probeMaxBackoffMs: 30_000 });
    expect(config.securityEvents).toEqual({ maxEvents: 100_000, maxAgeDays: 365, pruneEvery: 1000 });
    expect(standardCsmsConfig(config).securityEvents).toEqual({ maxEvents: 100_000, maxAgeDays: 365, pruneEvery: 1000 });
  });

  it('takes the values given, 0 meaning no limit for the retention', () => {
    const config = parseConfig({
      storage: { driver: 'memory', probeIntervalMs: 500, probeMaxBackoffMs: 2000 },
      securityEvents: { maxEvents: 0, maxAgeDays: 30, pruneEvery: 10 },
    });
    expect(config.storage).toMatchObject({ probeIntervalMs: 500, probeMaxBackoffMs: 2000 });
    expect(standardCsmsConfig(config).securityEvents).toEqual({ maxEvents: 0, maxAgeDays: 30, pruneEvery: 10 });
  });

  it.each([
    [{ storage: { probeIntervalMs: 50 } }, /storage\.probeIntervalMs/],
    [{ storage: { probeMaxBackoffMs: 'soon' } }, /storage\.probeMaxBackoffMs/],
    [{ securityEvents: { maxEvents: -1 } }, /securityEvents\.maxEvents/],
    [{ securityEvents: { maxAgeDays: 1.5 } }, /securityEvents\.maxAgeDays/],
    [{ securityEvents: { pruneEvery: 0 } }, /securityEvents\.pruneEvery/],
    [{ securityEvents: { keepForever: true } }, /securityEvents/],
  ])('refuses %j, naming the field', (json, field) => {
    expect(() => parseConfig(json)).toThrow(ConfigError);
    expect(() => parseConfig(json)).toThrow(field);
  });
});
