/**
 * The embedded default store: one SQLite file through better-sqlite3, in WAL mode with
 * `synchronous = FULL` (a committed transaction survives a power loss, not only a crash) and
 * `locking_mode = EXCLUSIVE`: the server holds the file's lock for as long as it runs, so a
 * second server (or any other writer) started on the same file is refused at once with a clear
 * message instead of interleaving its writes. The lock is the operating system's, so a killed
 * server (`kill -9`) leaves no stale lock behind.
 *
 * better-sqlite3 is synchronous: a batch runs inside one `db.transaction`, on the event loop.
 * The group committer (committer.ts) makes that one short transaction per event-loop turn.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, describeCause } from '../errors';
import { sqliteParameters, type SqlDatabase, type SqlStatement, type SqlValue } from './sql';

export interface SqliteOptions {
  /** A file path, or `:memory:` for a private in-memory database. */
  readonly path: string;
}

/** Why a SQLite store could not be opened, in words an operator can act on. */
function openError(path: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = describeCause(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /locked|busy/i.test(message)) {
    return new StoreError('locked', `the SQLite store ${path} is in use by another running server (or another program holds its lock); stop it, or give this server its own storage.path`, {
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed|corrupt/i.test(message)) {
    return new StoreError('corrupt', `the file ${path} is not a usable SQLite store (${message})`, { cause: error });
  }
  return new StoreError('unreachable', `cannot open the SQLite store ${path}: ${message}`, { cause: error });
}

export function openSqlite(options: SqliteOptions): SqlDatabase {
  const inMemory = options.path === ':memory:';
  const path = inMemory ? ':memory:' : resolve(options.path);
  let db: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw openError(path, error);
  }
  try {
    if (!inMemory) {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Take the exclusive lock now (a write transaction), not at the first station message.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    const check = db.pragma('quick_check', { simple: true }) as unknown;
    if (check !== 'ok') throw new StoreError('corrupt', `the SQLite store ${path} is damaged (quick_check: ${String(check)})`);
  } catch (error) {
    db.close();
    throw openError(path, error);
  }

  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const run = (statement: SqlStatement): void => {
    if (statement.script) {
      db.exec(statement.sql);
      return;
    }
    const { sql, params } = sqliteParameters(statement.sql, statement.params);
    prepare(sql).run(params);
  };
  const transaction = db.transaction((batch: readonly SqlStatement[]) => {
    for (const statement of batch) run(statement);
  });
  let open = true;
  const closed = () => new StoreError('closed', `the SQLite store ${path} is closed`);

  return {
    dialect: 'sqlite',
    description: inMemory ? 'sqlite (in memory)' : `sqlite ${path}`,
    query<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
      if (!open) return Promise.reject(closed());
      try {
        const named = sqliteParameters(sql, params);
        const statement = prepare(named.sql);
        return Promise.resolve((statement.reader ? statement.all(named.params) : (statement.run(named.params), [])) as T[]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    batch(batch: readonly SqlStatement[]): Promise<void> {
      if (!open) return Promise.reject(closed());
      try {
        transaction(batch);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    exec(script: string): Promise<void> {
      if (!open) return Promise.reject(closed());
      try {
        db.exec(script);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
    ping(): Promise<void> {
      if (!open) return Promise.reject(closed());
      db.prepare('SELECT 1').get();
      return Promise.resolve();
    },
    close(): Promise<void> {
      if (open) {
        open = false;
        db.close();
      }
      return Promise.resolve();
    },
  };
}
