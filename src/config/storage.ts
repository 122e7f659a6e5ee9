/**
 * The configuration's `storage` section as the store opens it: the SQLite path is relative to
 * the configuration file (like every path in it); PostgreSQL needs its URL.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors';
import type { StorageConfig } from '../store';
import type { CsmsConfig } from './schema';

export function storageConfigOf(config: CsmsConfig, configPath: string): StorageConfig {
  const storage = config.storage;
  switch (storage.driver) {
    case 'memory':
      return { driver: 'memory' };
    case 'sqlite':
      return {
        driver: 'sqlite',
        path: isAbsolute(storage.path) ? storage.path : resolve(dirname(configPath), storage.path),
        gatherMs: storage.gatherMs,
      };
    case 'postgres':
      if (storage.url === undefined) throw new ConfigError('storage.url', undefined, 'required with driver postgres (postgres://user:password@host:5432/database)');
      return { driver: 'postgres', url: storage.url, poolSize: storage.poolSize, gatherMs: storage.gatherMs };
  }
}
