/**
 * The `cluster` section of the configuration (issue 15): validated like every section (an
 * unknown or malformed field is an error), off when absent, and refused at start-up on any
 * store but PostgreSQL, with a message saying why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkClusterStorage, renewIntervalOf, type ClusterSection } from '../../src/config/cluster';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { runCli } from '../support/cli-process';

jest.setTimeout(240_000);

const base = { listeners: [{ port: 0, host: '127.0.0.1' }], storage: { driver: 'postgres', url: 'postgres://csms@127.0.0.1:1/csms' } };

describe('the cluster section of the configuration', () => {
  it('is absent (one node) unless given', () => {
    expect(parseConfig(base).cluster).toBeUndefined();
  });

  it('takes its defaults: lease 15 s, grace 2 s, claim timeout 5 s, prefix csms:, renewal a third of the lease', () => {
    const cluster = parseConfig({ ...base, cluster: { redis: 'redis://127.0.0.1:6379/0', nodeId: 'csms-1' } }).cluster!;
    expect(cluster).toEqual({ redis: 'redis://127.0.0.1:6379/0', nodeId: 'csms-1', leaseMs: 15_000, remoteGraceMs: 2_000, claimTimeoutMs: 5_000, keyPrefix: 'csms:' });
    expect(renewIntervalOf(cluster)).toBe(5_000);
  });

  it.each([
    [{ nodeId: 'csms-1' }, /cluster/],
    [{ redis: 'redis://h:6379', nodeId: 'csms 1' }, /cluster\.nodeId/],
    [{ redis: 'http://h:6379', nodeId: 'csms-1' }, /cluster\.redis/],
    [{ redis: 'redis://h:6379', nodeId: 'csms-1', leaseMs: 10 }, /cluster\.leaseMs/],
    [{ redis: 'redis://h:6379', nodeId: 'csms-1', nodes: 3 }, /cluster/],
  ])('refuses %j', (cluster, field) => {
    const error = (() => {
      try {
        parseConfig({ ...base, cluster });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(field);
  });

  it('refuses a renewal interval that is not shorter than the lease', () => {
    const cluster: ClusterSection = { redis: 'redis://h', nodeId: 'n', leaseMs: 3_000, renewMs: 3_000, remoteGraceMs: 0, claimTimeoutMs: 1_000, keyPrefix: '' };
    expect(() => renewIntervalOf(cluster)).toThrow(/cluster\.renewMs.*less than cluster\.leaseMs \(3000\)/);
  });

  it('needs PostgreSQL storage', () => {
    const cluster = parseConfig({ ...base, cluster: { redis: 'redis://h:6379', nodeId: 'n' } }).cluster;
    expect(() => checkClusterStorage(cluster, 'postgres')).not.toThrow();
    expect(() => checkClusterStorage(undefined, 'sqlite')).not.toThrow();
    expect(() => checkClusterStorage(cluster, 'sqlite')).toThrow(/storage\.driver.*"sqlite".*cluster mode needs "postgres"/);
    expect(() => checkClusterStorage(cluster, 'memory')).toThrow(ConfigError);
  });

  it('stops ocpp-csms at start-up, before anything listens, when the store is not PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csms-cluster-config-'));
    const path = join(dir, 'csms.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], storage: { driver: 'memory' }, cluster: { redis: 'redis://127.0.0.1:1/0', nodeId: 'n1' } }));
    const run = runCli(['--config', path]);
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toMatch(/storage\.driver.*cluster mode needs "postgres"/);
    expect(run.output()).not.toMatch(/CSMS started/);
  });
});
