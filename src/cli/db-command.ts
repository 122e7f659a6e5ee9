/**
 * `ocpp-csms db status|migrate [--config <file>]`: the store's schema migrations (DESIGN.md §7),
 * for the store the configuration's `storage` section names (the embedded default's without
 * --config). The server applies pending migrations itself when it starts; these commands let an
 * operator see what a database has, and migrate it ahead of a start (e.g. before several nodes
 * sharing one PostgreSQL database are upgraded).
 *
 * The store refuses to be opened beside a running server on the same SQLite file (the server
 * holds the file's exclusive lock), and an unreachable PostgreSQL server is a failure, not an
 * empty list: both end the command with the store's message and exit 1.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readConfigFile } from '../config/load';
import { storageConfigOf } from '../config/storage';
import { configureLogging } from '../log';
import { MIGRATIONS, migrate, migrationStatus, openDatabase, type MigrationStatus, type SqlDatabase, type StorageConfig } from '../store';
import { embeddedConfigPath } from './embedded';

export const DB_USAGE = `Usage:
  ocpp-csms db status  [--config <file>]   each migration with the time it was applied, or pending
  ocpp-csms db migrate [--config <file>]   apply the pending migrations and list them

  The store is the one the configuration's storage section names (the embedded default's
  without --config). The server applies pending migrations when it starts; a store in use by a
  running server (SQLite) or a PostgreSQL server out of reach ends the command with exit 1.`;

export interface DbOutput {
  out(line: string): void;
  /** Usage errors. */
  err(line: string): void;
}

export async function dbCommand(argv: readonly string[], output: DbOutput): Promise<number> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({ args: [...rest], strict: true, allowPositionals: false, options: { config: { type: 'string', short: 'c' } } });
  if (verb !== 'status' && verb !== 'migrate') {
    output.err(`ocpp-csms db: unknown command ${JSON.stringify(verb)}\n${DB_USAGE}`);
    return 2;
  }
  const path = values.config ?? embeddedConfigPath();
  const storage = storageConfigOf(readConfigFile(path), path);
  // The command's own lines are its output; the store's info logs ('store migrated') would repeat them.
  configureLogging({ level: 'warn' });

  if (storage.driver === 'memory') {
    output.out('store: memory (storage.driver is memory: nothing is kept between runs, each start applies every migration)');
    if (verb === 'status') printStatus(output, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    return 0;
  }
  if (verb === 'status' && storage.driver === 'sqlite' && !existsSync(storage.path)) {
    // Opening the file would create it: say what a first start would find instead.
    output.out(`store: sqlite ${storage.path} (no such file yet: the server creates it at its first start)`);
    printStatus(output, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    return 0;
  }
  const db = await openDatabase(storage);
  try {
    output.out(`store: ${db.description}`);
    return verb === 'status' ? await status(db, output) : await migrateNow(db, output, storage);
  } finally {
    await db.close();
  }
}

async function status(db: SqlDatabase, output: DbOutput): Promise<number> {
  printStatus(output, await migrationStatus(db));
  return 0;
}

async function migrateNow(db: SqlDatabase, output: DbOutput, storage: StorageConfig): Promise<number> {
  const applied = new Set(await migrate(db));
  const all = await migrationStatus(db);
  if (applied.size === 0) {
    output.out(`nothing to apply: the schema is at version ${Math.max(0, ...all.map((m) => m.version))}`);
    return 0;
  }
  printStatus(output, all.filter((m) => applied.has(m.version)));
  output.out(`${applied.size} migration${applied.size === 1 ? '' : 's'} applied to the ${storage.driver} store`);
  return 0;
}

function printStatus(output: DbOutput, migrations: readonly MigrationStatus[]): void {
  const width = Math.max(...migrations.map((m) => m.name.length));
  for (const m of migrations) output.out(`${String(m.version).padStart(4)}  ${m.name.padEnd(width)}  ${m.appliedAt === undefined ? 'pending' : `applied ${m.appliedAt}`}`);
}
