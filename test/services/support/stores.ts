/**
 * The stores the service tests run on: SQLite in a temporary file and in memory always, and
 * PostgreSQL when CSMS_TEST_POSTGRES_URL is set, in a database of its own created for the test
 * file and dropped after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type StorageConfig, type Store } from '../../../src/store';

export interface TestStoreKind {
  readonly name: 'sqlite' | 'memory' | 'postgres';
  /** A fresh store (each call a new, empty database). */
  open(): Promise<Store>;
  /** The same database again (after close), for restart tests. */
  reopen(store: Store): Promise<Store>;
  /** Remove every database this kind created. */
  cleanup(): Promise<void>;
}

const configs = new WeakMap<Store, StorageConfig>();

async function openAndRemember(config: StorageConfig): Promise<Store> {
  const store = await openStore(config);
  configs.set(store, config);
  return store;
}

function sqliteKind(): TestStoreKind {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'csms-services-'));
      dirs.push(dir);
      return openAndRemember({ driver: 'sqlite', path: join(dir, 'csms.sqlite') });
    },
    reopen: (store) => openAndRemember(configs.get(store)!),
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function memoryKind(): TestStoreKind {
  return {
    name: 'memory',
    open: () => openAndRemember({ driver: 'memory' }),
    reopen: () => Promise.reject(new Error('a memory store does not survive closing')),
    cleanup: () => Promise.resolve(),
  };
}

/**
 * One database per test file (creating one takes a while); each `open` after the first empties
 * every table but the migrations' record, so each test still starts from an empty store.
 */
function postgresKind(baseUrl: string): TestStoreKind {
  const databases: string[] = [];
  let url: string | undefined;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async open() {
      if (url === undefined) {
        const name = `csms_services_${randomBytes(6).toString('hex')}`;
        await admin((c) => c.query(`CREATE DATABASE ${name}`));
        databases.push(name);
        const parsed = new URL(baseUrl);
        parsed.pathname = `/${name}`;
        url = parsed.toString();
      }
      const store = await openAndRemember({ driver: 'postgres', url, poolSize: 4 });
      const tables = await store.db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'");
      if (tables.length > 0) await store.db.exec(`TRUNCATE ${tables.map((t) => t.tablename).join(', ')}`);
      return store;
    },
    reopen: (store) => openAndRemember(configs.get(store)!),
    async cleanup() {
      for (const name of databases.splice(0)) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Every store kind this run tests on. */
export function testStoreKinds(): TestStoreKind[] {
  const kinds = [sqliteKind(), memoryKind()];
  const url = process.env.CSMS_TEST_POSTGRES_URL;
  if (url) kinds.push(postgresKind(url));
  return kinds;
}

/**
 * Inside a `describe`: a fresh store of `kind` for each test, closed after it, and the kind's
 * databases removed after the block. Returns the current test's store.
 */
export function freshStorePerTest(kind: TestStoreKind): () => Store {
  let store: Store | undefined;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  afterAll(() => kind.cleanup());
  return () => {
    if (!store) throw new Error('freshStorePerTest: the store is open only while a test runs');
    return store;
  };
}
