/**
 * PostgreSQL through `pg`: a connection pool (size configurable), one pooled client per batch
 * (`BEGIN … COMMIT`). When the server goes away, queries fail (the committer turns that into
 * CALLERROR InternalError for the stations waiting on it) and the pool opens new connections on
 * the next attempt, so the CSMS serves again as soon as the database is back, without a restart.
 */
import pg from 'pg';
import { StoreError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { SqlDatabase, SqlStatement, SqlValue } from './sql';

const log = loggerFor('store');

// BIGINT (int8) and NUMERIC arrive as strings by default; every integer this store keeps fits in
// a double, and money is kept in integer minor units.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface PostgresOptions {
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before a query fails (default 5 s). */
  readonly connectTimeoutMs?: number;
}

/** The URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const description = `postgres ${redactUrl(options.url)}`;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool: without a listener that
  // would be an uncaught exception. The next query reconnects.
  pool.on('error', (error) => log.debug('idle PostgreSQL connection lost', { reason: describeCause(error) }));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError('unreachable', `cannot reach the PostgreSQL store ${redactUrl(options.url)}: ${describeCause(error)}`, { cause: error });
  }
  let open = true;
  const closed = () => new StoreError('closed', `the PostgreSQL store ${redactUrl(options.url)} is closed`);

  return {
    dialect: 'postgres',
    description,
    async query<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
      if (!open) throw closed();
      const result = await pool.query(sql, params as SqlValue[] | undefined);
      return result.rows as T[];
    },
    async batch(statements: readonly SqlStatement[]): Promise<void> {
      if (!open) throw closed();
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        for (const statement of statements) await client.query(statement.sql, statement.params as SqlValue[] | undefined);
        await client.query('COMMIT');
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection itself is gone: do not return it to the pool
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async exec(script: string): Promise<void> {
      if (!open) throw closed();
      await pool.query(script);
    },
    async ping(): Promise<void> {
      if (!open) throw closed();
      await pool.query('SELECT 1');
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
