/**
 * Versioned schema migrations, applied at start (and by `ocpp-csms db migrate`). The database
 * records each version it applied in `schema_migrations`; each migration runs in its own
 * transaction together with that record, so a failed one leaves nothing half applied. On
 * PostgreSQL an advisory lock serialises nodes that start at the same moment.
 */
import { StoreError, describeCause } from '../errors';
import { loggerFor } from '../log';
import { MIGRATIONS, type Migration } from './migrations';
import type { SqlDatabase, SqlStatement } from './sql';

const log = loggerFor('store');

/** An arbitrary constant: the advisory lock this project's migrations take on PostgreSQL. */
const MIGRATION_LOCK = 7_201_729;

export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  /** When it was applied, or undefined while pending. */
  readonly appliedAt?: string;
}

async function ensureTable(db: SqlDatabase): Promise<void> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
}

async function applied(db: SqlDatabase): Promise<Map<number, string>> {
  const rows = await db.query<{ version: number; applied_at: string }>('SELECT version, applied_at FROM schema_migrations ORDER BY version');
  return new Map(rows.map((row) => [Number(row.version), row.applied_at]));
}

export async function migrationStatus(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationStatus[]> {
  await ensureTable(db);
  const done = await applied(db);
  return migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: done.get(m.version) }));
}

/** Apply every pending migration in order. Returns the versions applied now. */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await ensureTable(db);
  let done = await applied(db);
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const unknown = [...done.keys()].filter((v) => v > newest);
  if (unknown.length > 0) {
    throw new StoreError(
      'migration',
      `the store ${db.description} has schema version ${Math.max(...unknown)}, newer than this server knows (${newest}): it was migrated by a newer version`,
    );
  }
  const now: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const script = typeof migration.sql === 'string' ? migration.sql : migration.sql[db.dialect];
    const statements: SqlStatement[] = [];
    if (db.dialect === 'postgres') statements.push({ sql: `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})` });
    statements.push(
      { sql: script, script: true },
      { sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', params: [migration.version, migration.name, new Date().toISOString()] },
    );
    try {
      await db.batch(statements);
    } catch (error) {
      // Another node may have applied it while this one waited for the lock.
      done = await applied(db);
      if (done.has(migration.version)) continue;
      throw new StoreError('migration', `migration ${migration.version} (${migration.name}) failed on ${db.description}: ${describeCause(error)}`, { cause: error });
    }
    log.info('store migrated', { store: db.description, version: migration.version, name: migration.name });
    now.push(migration.version);
  }
  return now;
}
