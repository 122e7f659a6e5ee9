/**
 * The store (DESIGN.md §7): one interface, three drivers chosen by the configuration's `storage`
 * section. `sqlite` (the embedded default, a file under data/), `postgres` (production, and
 * several nodes sharing one database), `memory` (tests and benchmarks: the same tables in a
 * private in-memory SQLite database, with each station's standing kept as live objects and never
 * serialised). Migrations are applied when the store opens. Nothing above the store knows which
 * driver runs.
 *
 *     const store = await openStore({ driver: 'sqlite', path: 'data/csms.sqlite' });
 *     const ticket = store.transactions.record(event);   // committed with this turn's batch
 *     await ticket.promise;
 *     await store.close();
 */
import { StoreError } from '../errors';
import { GroupCommitter, Ticket, type CommitStats } from './committer';
import { migrate, migrationStatus, type MigrationStatus } from './migrate';
import { openPostgres } from './postgres';
import { RegistryTable } from './registry-table';
import type { SqlDatabase } from './sql';
import { openSqlite } from './sqlite';
import { StandingTable } from './standing-table';
import { TransactionsTable } from './transactions-table';

export { GroupCommitter, Ticket, type CommitStats };
export type { SqlDatabase, SqlStatement, SqlValue, SqlDialect } from './sql';
export { RegistryTable, type StoredStation, type StationSource } from './registry-table';
export { StandingTable, STANDING_PARTS, type StandingPart, type StandingRow } from './standing-table';
export {
  TransactionsTable,
  InvalidCursorError,
  InvalidFilterError,
  type TransactionEventRecord,
  type TransactionSummary,
  type TransactionEventSummary,
  type TransactionFilter,
  type TransactionPage,
} from './transactions-table';
export { migrate, migrationStatus, type MigrationStatus };
export { MIGRATIONS, type Migration } from './migrations';

export type StorageConfig =
  | { readonly driver: 'sqlite'; readonly path: string; readonly gatherMs?: number }
  | { readonly driver: 'postgres'; readonly url: string; readonly poolSize?: number; readonly gatherMs?: number }
  | { readonly driver: 'memory' };

export interface Store {
  readonly driver: StorageConfig['driver'];
  readonly db: SqlDatabase;
  readonly committer: GroupCommitter;
  /** Each station's standing as JSON parts; undefined for the memory driver (kept as objects). */
  readonly standing?: StandingTable;
  readonly registry: RegistryTable;
  readonly transactions: TransactionsTable;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  /** Commit what is pending, then close the database. */
  close(): Promise<void>;
}

/** Open the database and bring its schema up to date. Throws StoreError with a clear message. */
export async function openStore(config: StorageConfig, options: { migrate?: boolean } = {}): Promise<Store> {
  const db = await openDatabase(config);
  try {
    if (options.migrate !== false) await migrate(db);
    else {
      const pending = (await migrationStatus(db)).filter((m) => m.appliedAt === undefined);
      if (pending.length > 0) {
        throw new StoreError('migration', `the store ${db.description} needs migrations ${pending.map((m) => m.version).join(', ')} (run: ocpp-csms db migrate)`);
      }
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const committer = new GroupCommitter(db, { gatherMs: config.driver === 'memory' ? 0 : config.gatherMs });
  let closed: Promise<void> | undefined;
  return {
    driver: config.driver,
    db,
    committer,
    standing: config.driver === 'memory' ? undefined : new StandingTable(db, committer),
    registry: new RegistryTable(db, committer),
    transactions: new TransactionsTable(db, committer),
    ping: () => db.ping(),
    close: () =>
      (closed ??= (async () => {
        try {
          await committer.close();
        } finally {
          await db.close();
        }
      })()),
  };
}

/** The database alone, without migrating (for `ocpp-csms db status`). */
export function openDatabase(config: StorageConfig): Promise<SqlDatabase> {
  switch (config.driver) {
    case 'sqlite':
      return Promise.resolve(openSqlite({ path: config.path }));
    case 'memory':
      return Promise.resolve(openSqlite({ path: ':memory:' }));
    case 'postgres':
      return openPostgres({ url: config.url, poolSize: config.poolSize });
  }
}
